package dev.asyncpatterns.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The javadoc examples of the library modules are {@code {@snippet class=… region=…}} references
 * into each module's test sources, where they compile and run (STYLE rule 8). This checks that
 * every reference resolves to a region that exists and that no inline example is left to rot.
 * It runs here because the examples module sits next to every library module.
 */
class JavadocSnippetsTest {

    private static final List<String> LIBRARY_MODULES =
            List.of("core", "testkit", "pipeline", "resilience", "cache", "redis", "postgres", "micrometer", "console");
    private static final Pattern REFERENCE = Pattern.compile("\\{@snippet\\s+class=([\\w.]+)\\s+region=(\\w+)\\s*}");
    private static final Pattern INLINE = Pattern.compile("\\{@snippet\\s*(lang=\\w+\\s*)?:");

    private static Path root() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("core")) ? here : here.getParent(); // run from the root or the module
    }

    private static List<Path> mainSources(String module) throws IOException {
        Path dir = root().resolve(module).resolve("src/main/java");
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    @Test
    void everySnippetReference_resolvesToARegionInTheModulesTests() throws IOException {
        List<String> broken = new ArrayList<>();
        int references = 0;
        for (String module : LIBRARY_MODULES) {
            Path tests = root().resolve(module).resolve("src/test/java");
            for (Path source : mainSources(module)) {
                Matcher m = REFERENCE.matcher(Files.readString(source));
                while (m.find()) {
                    references++;
                    Path snippetFile = tests.resolve(m.group(1).replace('.', '/') + ".java");
                    if (!Files.isRegularFile(snippetFile)) {
                        broken.add(source.getFileName() + ": no " + snippetFile);
                    } else if (!Files.readString(snippetFile).contains("@start region=" + m.group(2))) {
                        broken.add(source.getFileName() + ": no region " + m.group(2) + " in "
                                + snippetFile.getFileName());
                    }
                }
            }
        }
        System.out.println("javadoc snippet references: " + references + ", broken: " + broken.size());
        assertThat(references).as("snippet references found").isPositive();
        assertThat(broken).isEmpty();
    }

    @Test
    void noInlineSnippets_inLibraryJavadoc() throws IOException {
        List<String> inline = new ArrayList<>();
        for (String module : LIBRARY_MODULES) {
            for (Path source : mainSources(module)) {
                if (INLINE.matcher(Files.readString(source)).find()) {
                    inline.add(module + "/" + source.getFileName());
                }
            }
        }
        assertThat(inline)
                .as("inline {@snippet : …} examples (move them to a *Snippets test class)")
                .isEmpty();
    }
}
