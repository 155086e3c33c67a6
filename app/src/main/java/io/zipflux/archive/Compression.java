package io.zipflux.archive;

import java.util.Locale;

import org.springframework.web.server.ServerWebInputException;

/** How entries are stored: {@code store} is streamable with ranges, {@code deflate} is smaller. */
public enum Compression {
    STORE, DEFLATE;

    static Compression parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException ex) {
            throw new ServerWebInputException("compression must be 'store' or 'deflate', not '" + value + "'");
        }
    }
}
