package io.zipflux.system;

import java.io.FileNotFoundException;
import java.nio.file.FileSystemException;
import java.util.regex.Pattern;

/**
 * Error texts fit to show a client (job {@code error}s, problem details): no local path, no class name and no
 * stack frame. Texts zipflux writes itself are kept; others are cleaned; the whole error goes to the log only.
 */
public final class PublicErrors {

    /** What is said of a failure with nothing fit to show. */
    public static final String GENERIC = "the server failed; the failure has been logged";

    private static final String FILE_FAILURE = "a file of the server could not be read or written; the failure has been logged";

    /** {@code java.io.IOException: } or {@code io.netty.Foo}: a qualified Java name, with the colon that may follow it. */
    private static final Pattern QUALIFIED_NAME = Pattern.compile("\\b(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?::\\s*)?");

    /** {@code FileNotFoundException: }: a bare exception or error class name. */
    private static final Pattern THROWABLE_NAME = Pattern.compile("\\b[A-Z][\\w$]*(?:Exception|Error)\\b(?::\\s*)?");

    /** {@code at io.zipflux.Foo.bar(Foo.java:12)}: a stack frame. */
    private static final Pattern STACK_FRAME = Pattern.compile("\\s*\\bat [\\w$.<>/]+\\([^)]*\\)");

    /**
     * An absolute local path of two segments or more ({@code /var/data/x}, {@code C:\data}); a URL's path is not one
     * (it follows its host), nor is Netty's {@code /127.0.0.1:8080} (one segment).
     */
    private static final Pattern LOCAL_PATH = Pattern.compile("(?<![\\w.:/\\\\-])(?:/[^\\s/:'\"()\\[\\],;]+){2,}/?"
            + "|\\b[A-Za-z]:\\\\[^\\s'\"]*");

    private PublicErrors() {
    }

    /** What a client may read about {@code error}: its own text if zipflux wrote it, else a cleaned one. */
    public static String describe(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof FileSystemException || cause instanceof FileNotFoundException) {
                return FILE_FAILURE;
            }
        }
        String message = error.getMessage();
        if (message == null || message.isBlank()) {
            return GENERIC;
        }
        return isOurs(error) ? message : clean(message);
    }

    /** {@code text} without local paths, class names or stack frames; {@link #GENERIC} if nothing is left. */
    public static String clean(String text) {
        String cleaned = STACK_FRAME.matcher(text).replaceAll("");
        cleaned = QUALIFIED_NAME.matcher(cleaned).replaceAll("");
        cleaned = THROWABLE_NAME.matcher(cleaned).replaceAll("");
        cleaned = LOCAL_PATH.matcher(cleaned).replaceAll("(a local path)").strip();
        return cleaned.isEmpty() ? GENERIC : cleaned;
    }

    /** Whether zipflux wrote the text of {@code error} (its own exceptions are worded for clients). */
    public static boolean isOurs(Throwable error) {
        return error.getClass().getName().startsWith("io.zipflux.");
    }
}
