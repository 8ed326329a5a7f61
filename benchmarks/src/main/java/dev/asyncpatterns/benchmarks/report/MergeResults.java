package dev.asyncpatterns.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Concatenates JMH JSON result files (each a JSON array of rows) into one, keeping every row as
 * JMH wrote it. {@code benchmarks/run.sh verdict} runs an area as several JMH invocations (each with
 * its own {@code -p} filters) and merges them into {@code verdict-<area>.json}.
 *
 * <p>With {@code --fold}, rows of the same benchmark, mode and parameters (the rounds of an
 * interleaved run, one fork each) become one row of all their forks ({@link FoldForks}).
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.asyncpatterns.benchmarks.report.MergeResults
 * [--fold] out.json in.json...}
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
     * Merges JSON arrays and folds the rows of each benchmark, mode and parameters into one
     * ({@link FoldForks#fold}).
     *
     * @param arrays the files' texts, each a JSON array of JMH rows
     * @return one JSON array of the folded rows
     * @throws IllegalArgumentException if a text is not a JMH result array, or rows cannot fold
     */
    public static String mergeFolded(List<String> arrays) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String text : arrays) {
            JmhResult.parseAll(text); // rejects anything but an array of JMH rows
            for (Object row : (List<?>) Json.parse(text)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> map = (Map<String, Object>) row;
                rows.add(map);
            }
        }
        return Json.write(FoldForks.fold(rows)) + "\n";
    }

    /**
     * Writes the merge of the input files to the output file.
     *
     * @param args {@code --fold} (optional), the output file, then the input files
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        boolean fold = args.length > 0 && args[0].equals("--fold");
        int first = fold ? 1 : 0;
        if (args.length - first < 2) {
            System.err.println("usage: MergeResults [--fold] <out.json> <in.json>...");
            System.exit(2);
        }
        List<String> texts = new ArrayList<>();
        for (int i = first + 1; i < args.length; i++) {
            texts.add(Files.readString(Path.of(args[i]), StandardCharsets.UTF_8));
        }
        Files.writeString(Path.of(args[first]), fold ? mergeFolded(texts) : merge(texts), StandardCharsets.UTF_8);
    }
}
