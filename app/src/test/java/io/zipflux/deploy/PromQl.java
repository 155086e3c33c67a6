package io.zipflux.deploy;

import java.util.List;
import java.util.Map;

/**
 * PromQL text as the monitoring tests need it: Grafana's variables replaced, and an alert's
 * comparisons turned into {@code bool} ones, so that the expression returns its series (0 or 1 each)
 * instead of none while the alert does not fire.
 */
final class PromQl {

    /** Longest first, so that {@code >=} is not read as {@code >}. */
    private static final List<String> COMPARISONS = List.of("==", "!=", ">=", "<=", ">", "<");

    private PromQl() {
    }

    /** {@code expr} with each {@code $name} or {@code ${name}} of {@code variables} replaced by its value. */
    static String substitute(String expr, Map<String, String> variables) {
        String result = expr;
        for (Map.Entry<String, String> variable : variables.entrySet()) {
            result = result.replace("${" + variable.getKey() + "}", variable.getValue())
                    .replace("$" + variable.getKey(), variable.getValue());
        }
        return result;
    }

    /**
     * {@code expr} with {@code bool} after every comparison outside label matchers and strings: a
     * filter ({@code x > 0.9}) becomes a test ({@code x > bool 0.9}) that keeps every series.
     */
    static String withoutFilters(String expr) {
        StringBuilder out = new StringBuilder(expr.length() + 16);
        int braces = 0;
        char quote = 0;
        for (int i = 0; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (quote != 0) {
                out.append(c);
                if (c == '\\' && i + 1 < expr.length()) {
                    out.append(expr.charAt(++i));
                }
                else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            String comparison = braces == 0 ? comparisonAt(expr, i) : null;
            if (comparison != null) {
                out.append(comparison);
                i += comparison.length() - 1;
                if (!expr.substring(i + 1).stripLeading().startsWith("bool")) {
                    out.append(" bool");
                }
                continue;
            }
            if (c == '"' || c == '\'' || c == '`') {
                quote = c;
            }
            else if (c == '{') {
                braces++;
            }
            else if (c == '}') {
                braces--;
            }
            out.append(c);
        }
        return out.toString();
    }

    private static String comparisonAt(String expr, int index) {
        return COMPARISONS.stream()
                .filter(comparison -> expr.startsWith(comparison, index))
                .findFirst()
                .orElse(null);
    }
}
