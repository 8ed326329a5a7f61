package dev.asyncpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LauncherTest {

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

    private String output() {
        return buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    void list_printsEveryExampleWithDescription() throws Exception {
        assertThat(Launcher.run("list", out)).isZero();
        for (Example example : Launcher.EXAMPLES) {
            assertThat(output()).contains(example.name()).contains(example.description());
        }
    }

    @Test
    void unknownName_exitsTwoAndSaysSo() throws Exception {
        assertThat(Launcher.run("no-such-example", out)).isEqualTo(2);
        assertThat(output()).contains("unknown example 'no-such-example'");
    }

    @Test
    void syncVsAsync_concurrentBeatsSequential() throws Exception {
        assertThat(Launcher.run("sync-vs-async", out)).isZero();
        assertThat(output()).contains("sequential:").contains("concurrent:").contains("speedup:");
        double speedup = Double.parseDouble(output().replaceAll("(?s).*speedup:\\s+([0-9.]+)x.*", "$1"));
        // 10 calls of 200 ms each: concurrent must be several times faster (a generous lower bound)
        assertThat(speedup).isGreaterThan(3.0);
    }
}
