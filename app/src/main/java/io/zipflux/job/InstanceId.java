package io.zipflux.job;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

import org.springframework.stereotype.Component;

/** This instance's name in job rows: configured, or host name plus a random suffix. */
@Component
public class InstanceId {

    private final String value;

    InstanceId(JobsProperties properties) {
        this.value = properties.instanceId().isBlank() ? hostName() + "-" + UUID.randomUUID().toString().substring(0, 8)
                : properties.instanceId();
    }

    public String value() {
        return value;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        }
        catch (UnknownHostException ex) {
            return "zipflux";
        }
    }
}
