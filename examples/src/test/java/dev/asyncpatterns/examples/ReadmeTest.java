package dev.asyncpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's claims about the examples match the launcher: the count, and one row per example. */
class ReadmeTest {

    private static final List<String> NUMBERS = List.of(
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty");

    private static String readme() throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.exists(dir.resolve("README.md")) || !Files.exists(dir.resolve("examples"))) {
            dir = dir.getParent();
        }
        return Files.readString(dir.resolve("README.md"));
    }

    @Test
    void examplesSection_countInWords_matchesTheLauncher() throws Exception {
        Matcher count = Pattern.compile("(?m)^(\\w+) small, commented programs").matcher(readme());
        assertThat(count.find())
                .as("the README's sentence counting the examples")
                .isTrue();
        assertThat(NUMBERS.indexOf(count.group(1).toLowerCase(java.util.Locale.ROOT)))
                .as("README says %s examples", count.group(1))
                .isEqualTo(Launcher.EXAMPLES.size());
    }

    @Test
    void examplesTable_oneRowPerExample() throws Exception {
        String readme = readme();
        String table = readme.substring(readme.indexOf("| name | shows | toolkit parts |"));
        table = table.substring(0, table.indexOf("\n\n"));
        for (Example example : Launcher.EXAMPLES) {
            assertThat(table).as("README examples table").contains("| `" + example.name() + "` |");
        }
        assertThat(table.lines().filter(line -> line.startsWith("| `")).count()).isEqualTo(Launcher.EXAMPLES.size());
    }
}
