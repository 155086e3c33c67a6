package io.zipflux.deploy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The PromQL rewriting of the monitoring tests: comparisons become bool ones, matchers stay. */
class PromQlTest {

    @Test
    void comparisonsOutsideMatchersBecomeBool() {
        assertThat(PromQl.withoutFilters("a{x!=\"1\", y=~\"b.*\"} / b >= 0.9 and c < 3 or d == 0"))
                .isEqualTo("a{x!=\"1\", y=~\"b.*\"} / b >= bool 0.9 and c < bool 3 or d == bool 0");
    }

    @Test
    void stringsAndBoolComparisonsStayAsTheyAre() {
        assertThat(PromQl.withoutFilters("label_replace(up, \"a\", \"<x>\", \"b\", \"c!=d\") > bool 0"))
                .isEqualTo("label_replace(up, \"a\", \"<x>\", \"b\", \"c!=d\") > bool 0");
    }

    @Test
    void variablesAreReplacedInBothForms() {
        assertThat(PromQl.substitute("rate(x{instance=~\"$instance\"}[$__rate_interval]) + ${instance}",
                Map.of("instance", "h:1", "__rate_interval", "15s")))
                .isEqualTo("rate(x{instance=~\"h:1\"}[15s]) + h:1");
    }
}
