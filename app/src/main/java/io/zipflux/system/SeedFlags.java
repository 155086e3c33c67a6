package io.zipflux.system;

import java.util.ArrayList;
import java.util.List;

/**
 * Translates the seed service's short flags ({@code -H HOST -P PORT}) into Spring Boot arguments,
 * so scripts written for the seed keep working.
 */
public final class SeedFlags {

    private SeedFlags() {
    }

    public static String[] translate(String[] args) {
        List<String> translated = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            boolean hasValue = i + 1 < args.length;
            if (flag.equals("-H") && hasValue) {
                translated.add("--server.address=" + args[++i]);
            }
            else if (flag.equals("-P") && hasValue) {
                translated.add("--server.port=" + args[++i]);
            }
            else {
                translated.add(flag);
            }
        }
        return translated.toArray(String[]::new);
    }
}
