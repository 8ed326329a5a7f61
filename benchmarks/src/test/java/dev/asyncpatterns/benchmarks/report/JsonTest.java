package dev.asyncpatterns.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    // ---------------------------------------------------------------- values

    @Test
    void parse_object_keepsKeyOrderAndTypes() {
        Object value = Json.parse(" {\"b\": 1, \"a\": [true, false, null], \"c\": \"x\"} ");

        assertThat(value).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) value;
        assertThat(map.keySet()).containsExactly("b", "a", "c");
        assertThat(map.get("b")).isEqualTo(1.0);
        assertThat(map.get("a")).isEqualTo(java.util.Arrays.asList(true, false, null));
        assertThat(map.get("c")).isEqualTo("x");
    }

    @Test
    void parse_numbers_negativeFractionsAndExponents() {
        assertThat(Json.parse("[-0.5, 12, 1e3, 2.5E-2, -7E+1]")).isEqualTo(List.of(-0.5, 12.0, 1000.0, 0.025, -70.0));
    }

    @Test
    void parse_stringEscapes_decoded() {
        assertThat(Json.parse("\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\"")).isEqualTo("a\"b\\c/d\n\té");
    }

    @Test
    void parse_emptyContainers_empty() {
        assertThat(Json.parse("{}")).isEqualTo(Map.of());
        assertThat(Json.parse("[ ]")).isEqualTo(List.of());
    }

    @Test
    void parse_nested_deepStructure() {
        Object value = Json.parse("{\"x\":{\"y\":[{\"z\":[1,[2]]}]}}");

        assertThat(value.toString()).isEqualTo("{x={y=[{z=[1.0, [2.0]]}]}}");
    }

    // ---------------------------------------------------------------- errors

    @Test
    void parse_trailingCharacters_rejectedWithOffset() {
        assertThatThrownBy(() -> Json.parse("[1] x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset 4")
                .hasMessageContaining("trailing");
    }

    @Test
    void parse_unterminatedString_rejected() {
        assertThatThrownBy(() -> Json.parse("\"abc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("end of input");
    }

    @Test
    void parse_missingComma_rejected() {
        assertThatThrownBy(() -> Json.parse("{\"a\":1 \"b\":2}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected ',' or '}'");
    }

    @Test
    void parse_badEscapeAndBadLiteral_rejected() {
        assertThatThrownBy(() -> Json.parse("\"\\x\""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad escape");
        assertThatThrownBy(() -> Json.parse("tru"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 'true'");
        assertThatThrownBy(() -> Json.parse("-"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a digit");
    }

    @Test
    void parse_empty_rejected() {
        assertThatThrownBy(() -> Json.parse("  ")).isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- writing

    @Test
    void write_thenParse_sameTree() {
        Object tree = Json.parse(
                "{\"b\": 3, \"a\": [true, null, -0.25, 1.5E7, \"NaN\"], \"s\": \"q\\\"\\\\\\n\\u0001\", \"e\": {}, \"l\": []}");

        String text = Json.write(tree);

        assertThat(Json.parse(text)).isEqualTo(tree);
        assertThat(text).contains("\"b\": 3,").contains("\"NaN\"").contains("\\u0001");
    }

    @Test
    void write_nonFiniteNumberOrOtherType_rejected() {
        assertThatThrownBy(() -> Json.write(List.of(Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN");
        assertThatThrownBy(() -> Json.write(Map.of("k", new Object())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a JSON value");
    }
}
