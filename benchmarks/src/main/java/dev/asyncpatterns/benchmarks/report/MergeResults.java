package dev.asyncpatterns.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Concatenates JMH JSON result files (each a JSON array of rows) into one, keeping every row as
 * JMH wrote it. {@code benchmarks/run.sh verdict} runs an area as several JMH invocations (each with
 * its own {@code -p} filters) and merges them into {@code verdict-<area>.json}.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.asyncpatterns.benchmarks.report.MergeResults out.json
 * in.json...}
 */
public final class MergeResults {

    private MergeResults() {}

    /**
     * Merges JSON arrays.
     *
     * @param arrays the files' texts, each a JSON array (checked by parsing)
     * @return one JSON array holding every element, in order
     * @throws IllegalArgumentException if a text is not a JMH result array
     */
    public static String merge(List<String> arrays) {
        List<String> bodies = new ArrayList<>();
        for (String text : arrays) {
            JmhResult.parseAll(text); // rejects anything but an array of JMH rows
            String trimmed = text.strip();
            String body = trimmed.substring(1, trimmed.length() - 1).strip();
            if (!body.isEmpty()) {
                bodies.add(body);
            }
        }
        return bodies.isEmpty() ? "[\n]\n" : "[\n" + String.join(",\n", bodies) + "\n]\n";
    }

    /**
     * Writes the merge of the input files to the output file.
     *
     * @param args the output file, then the input files
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: MergeResults <out.json> <in.json>...");
            System.exit(2);
        }
        List<String> texts = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            texts.add(Files.readString(Path.of(args[i]), StandardCharsets.UTF_8));
        }
        Files.writeString(Path.of(args[0]), merge(texts), StandardCharsets.UTF_8);
    }
}
