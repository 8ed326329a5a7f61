package dev.asyncpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every example once through {@code Launcher all} (fast mode) and checks the key lines of
 * each one's output. Assertions are on what the programs print, never on timings (beyond the
 * generous bounds some programs print themselves).
 */
class ExamplesTest {

    /** For each example, regular expressions that must each match some line of its output. */
    private static final Map<String, List<String>> KEY_LINES = keyLines();

    private static Map<String, List<String>> keyLines() {
        Map<String, List<String>> lines = new LinkedHashMap<>();
        lines.put("sync-vs-async", List.of(
                "^10 calls to a local service that takes 50 ms each$",
                "^sequential: +[0-9.]+ ms$",
                "^concurrent: +[0-9.]+ ms \\(10 responses, first: \"hello from /item/0\"\\)$",
                "^speedup: +[0-9.]+x \\(ideal 10x\\)$"));
        return lines;
    }

    // ---- the whole run ------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> all_runsEveryExampleFast_printsKeyLinesOfEach() throws Exception {
        var buffer = new ByteArrayOutputStream();
        int exitCode = Launcher.run("all", new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String output = buffer.toString(StandardCharsets.UTF_8);

        Stream<DynamicTest> summary = Stream.of(DynamicTest.dynamicTest("all exits 0", () -> {
            assertThat(output).as("launcher output").contains("all " + Launcher.EXAMPLES.size() + " examples ran");
            assertThat(exitCode).isZero();
        }));
        Stream<DynamicTest> perExample = Launcher.EXAMPLES.stream().map(example -> DynamicTest.dynamicTest(
                example.name(), () -> {
                    List<String> section = section(output, example.name());
                    assertThat(section).as("output of %s", example.name()).isNotEmpty();
                    String text = String.join("\n", section);
                    assertThat(section).as("%s output:%n%s", example.name(), text)
                            .noneMatch(line -> line.startsWith("FAILED "));
                    for (String regex : KEY_LINES.get(example.name())) {
                        Pattern pattern = Pattern.compile(regex);
                        assertThat(section)
                                .as("%s prints a line matching %s; output:%n%s", example.name(), regex, text)
                                .anyMatch(line -> pattern.matcher(line).find());
                    }
                }));
        return Stream.concat(summary, perExample);
    }

    // ---- bookkeeping --------------------------------------------------------------------------

    @Test
    void keyLines_coverEveryExample() {
        assertThat(KEY_LINES.keySet())
                .containsExactlyInAnyOrderElementsOf(Launcher.EXAMPLES.stream().map(Example::name).toList());
    }

    @Test
    void examples_haveUniqueNamesAndOneLineDescriptions() {
        assertThat(Launcher.EXAMPLES).extracting(Example::name).doesNotHaveDuplicates();
        assertThat(Launcher.EXAMPLES).allSatisfy(example -> {
            assertThat(example.name()).matches("[a-z0-9-]+");
            assertThat(example.description()).isNotBlank().doesNotContain("\n").hasSizeLessThan(100);
        });
    }

    /** The lines between {@code === name ===} and the next header (or the end). */
    private static List<String> section(String output, String name) {
        List<String> lines = output.lines().toList();
        int start = lines.indexOf("=== " + name + " ===");
        if (start < 0) {
            return List.of();
        }
        int end = start + 1;
        while (end < lines.size() && !lines.get(end).startsWith("=== ")) {
            end++;
        }
        return lines.subList(start + 1, end);
    }
}
