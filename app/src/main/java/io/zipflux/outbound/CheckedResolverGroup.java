package io.zipflux.outbound;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;

import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The resolver of every outbound connection: it looks names up off the event loop, checks each
 * address against the policy, and hands the connection exactly the addresses it checked, so a name
 * cannot resolve to one address when checked and another when connected to. Addresses that are
 * already resolved (IP literals, redirect targets) are checked too: this resolver calls none of them
 * resolved, so Netty always asks it.
 */
final class CheckedResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    private final AddressPolicy policy;

    private final Scheduler lookups;

    CheckedResolverGroup(AddressPolicy policy, Scheduler lookups) {
        this.policy = policy;
        this.lookups = lookups;
    }

    /**
     * The checked addresses of {@code host}; fails with {@link OutboundRefusedException} when one is
     * refused, with the lookup's own error (an {@code UnknownHostException}, perhaps for the moment)
     * when there are none.
     */
    Mono<List<InetAddress>> lookUp(String host) {
        InetAddress literal = AddressClass.literal(host);
        Mono<List<InetAddress>> addresses = literal != null
                ? Mono.just(List.of(literal))
                : Mono.fromCallable(() -> Arrays.asList(InetAddress.getAllByName(host)))
                        .subscribeOn(lookups);
        return addresses.doOnNext(found -> found.forEach(policy::check));
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new Resolver(executor);
    }

    private final class Resolver extends AbstractAddressResolver<InetSocketAddress> {

        Resolver(EventExecutor executor) {
            super(executor, InetSocketAddress.class);
        }

        @Override
        protected boolean doIsResolved(InetSocketAddress address) {
            return false;
        }

        @Override
        protected void doResolve(InetSocketAddress address, Promise<InetSocketAddress> promise) {
            addresses(address).subscribe(found -> promise.trySuccess(found.get(0)), promise::tryFailure);
        }

        @Override
        protected void doResolveAll(InetSocketAddress address, Promise<List<InetSocketAddress>> promise) {
            addresses(address).subscribe(promise::trySuccess, promise::tryFailure);
        }

        private Mono<List<InetSocketAddress>> addresses(InetSocketAddress address) {
            Mono<List<InetAddress>> found = address.isUnresolved()
                    ? lookUp(address.getHostString())
                    : Mono.fromCallable(() -> {
                        policy.check(address.getAddress());
                        return List.of(address.getAddress());
                    });
            return found.map(list -> list.stream()
                    .map(each -> new InetSocketAddress(each, address.getPort()))
                    .toList());
        }
    }
}
