package dev.asyncpatterns.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's benchmark blocks against the committed JSON they name. */
class ReadmeBlocksTest {

    /** The repository root: the benchmarks module's parent (Surefire runs in the module directory). */
    private static Path repositoryRoot() {
        Path module = Path.of("").toAbsolutePath();
        return Files.exists(module.resolve("benchmarks/results")) ? module : module.getParent();
    }

    @Test
    void readme_everyBenchmarkBlock_equalsWhatItsCommittedJsonGives() throws IOException {
        Path root = repositoryRoot();
        String readme = Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8);

        String regenerated = ReadmeBlocks.rewrite(readme, root.resolve("benchmarks/results"));

        assertThat(ReadmeBlocks.blocks(readme)).isNotEmpty();
        assertThat(readme)
                .as("README benchmark blocks are stale: run ReadmeBlocks README.md benchmarks/results")
                .isEqualTo(regenerated);
    }

    @Test
    void rewrite_staleBlock_replacedByTheFiguresOfItsJson(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("r.json"), fixture());
        String doc = "intro\n<!-- bench:scaling r.json -->\n| 10 | Futures.all | 1.0 | made up |\n"
                + "<!-- /bench:scaling -->\noutro\n";

        String rewritten = ReadmeBlocks.rewrite(doc, dir);

        assertThat(rewritten)
                .startsWith("intro\n<!-- bench:scaling r.json -->\nGenerated from `r.json` (")
                .contains("| 10 | CompletableFuture.allOf | 20.3 | 0.10 | 0.99 | 9.85× | 400 | ✓ |")
                .doesNotContain("made up")
                .endsWith("<!-- /bench:scaling -->\noutro\n");
        assertThat(ReadmeBlocks.rewrite(rewritten, dir)).isEqualTo(rewritten);
    }

    @Test
    void rewrite_fileNotCommittedYet_saysSoWithoutFigures(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("r.json"), fixture());

        String none = ReadmeBlocks.rewrite("<!-- bench:bars verdict-sync.json -->\n<!-- /bench:bars -->", dir);
        String some = ReadmeBlocks.rewrite(
                "<!-- bench:scaling r.json verdict-scaling.json -->\n<!-- /bench:scaling -->", dir);

        assertThat(none)
                .isEqualTo("<!-- bench:bars verdict-sync.json -->\nNot committed yet, so no figures from: "
                        + "`verdict-sync.json` (`benchmarks/run.sh verdict` writes them).\n\n<!-- /bench:bars -->");
        assertThat(some)
                .contains("Not committed yet, so no figures from: `verdict-scaling.json`")
                .contains("Generated from `r.json` (")
                .contains("| 10 | CompletableFuture.allOf |");
    }

    @Test
    void rewrite_unknownKind_rejected(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("r.json"), fixture());

        assertThatThrownBy(() -> ReadmeBlocks.rewrite("<!-- bench:pie r.json -->\n<!-- /bench:pie -->", dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pie");
    }

    @Test
    void merge_twoRuns_everyRowOnceInOrder() throws IOException {
        String one = fixture();
        String empty = "[\n]\n";

        String merged = MergeResults.merge(List.of(one, empty, one));

        List<JmhResult> rows = JmhResult.parseAll(merged);
        assertThat(rows).hasSize(2 * JmhResult.parseAll(one).size());
        assertThat(rows.get(0).benchmark())
                .isEqualTo(JmhResult.parseAll(one).get(0).benchmark());
        assertThatThrownBy(() -> MergeResults.merge(List.of("{}"))).isInstanceOf(IllegalArgumentException.class);
    }

    private static String fixture() throws IOException {
        try (InputStream in = ReadmeBlocksTest.class.getResourceAsStream("/jmh-sample.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
