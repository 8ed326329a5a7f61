package dev.asyncpatterns.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps benchmark figures in a Markdown document (the README) equal to committed JMH JSON.
 *
 * <p>A block is written between two markers; the opening marker names the kind of block and the
 * JSON files (relative to the results directory) it is generated from:
 *
 * <pre>
 * &lt;!-- bench:bars verdict-sync.json verdict-futures.json --&gt;
 * ... generated, do not edit ...
 * &lt;!-- /bench:bars --&gt;
 * </pre>
 *
 * <p>Kinds: {@code headline}, {@code scaling}, {@code bars} (see {@link ReportGenerator#block}). A
 * named file that does not exist yet is listed as not committed (no figures from it), so a block
 * can name the verdict run's files before that run.
 * {@link #rewrite} regenerates every block; a test compares the README with its rewrite, so a
 * figure that no longer matches its JSON fails the build.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.asyncpatterns.benchmarks.report.ReadmeBlocks
 * README.md benchmarks/results} rewrites the blocks in place; add {@code --check} to only report
 * (exit status 1) when a block is stale.
 */
public final class ReadmeBlocks {

    /** An opening marker, its content, and the matching closing marker. */
    static final Pattern BLOCK =
            Pattern.compile("<!-- bench:([a-z]+)((?: [^\\s>]+)+) -->\\n(.*?)<!-- /bench:\\1 -->", Pattern.DOTALL);

    private ReadmeBlocks() {}

    /**
     * Regenerates every block of a document.
     *
     * @param document the Markdown text
     * @param resultsDir where the JSON files named in the markers live
     * @return the text with every block regenerated (equal to {@code document} when none is stale)
     * @throws IOException if a named file cannot be read
     * @throws IllegalArgumentException for a marker naming an unknown kind
     */
    public static String rewrite(String document, Path resultsDir) throws IOException {
        Matcher m = BLOCK.matcher(document);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String kind = m.group(1);
            List<String> files = Arrays.asList(m.group(2).strip().split(" "));
            String body = render(kind, files, resultsDir);
            m.appendReplacement(
                    out,
                    Matcher.quoteReplacement(
                            "<!-- bench:" + kind + m.group(2) + " -->\n" + body + "<!-- /bench:" + kind + " -->"));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * The names of the blocks in a document, in order ({@code kind files...}).
     *
     * @param document the Markdown text
     * @return one entry per block
     */
    public static List<String> blocks(String document) {
        List<String> names = new ArrayList<>();
        Matcher m = BLOCK.matcher(document);
        while (m.find()) {
            names.add(m.group(1) + m.group(2));
        }
        return names;
    }

    private static String render(String kind, List<String> files, Path resultsDir) throws IOException {
        List<JmhResult> rows = new ArrayList<>();
        List<String> present = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String file : files) {
            Path path = resultsDir.resolve(file);
            if (Files.exists(path)) {
                rows.addAll(JmhResult.parseAll(Files.readString(path, StandardCharsets.UTF_8)));
                present.add(file);
            } else {
                missing.add(file);
            }
        }
        String note = missing.isEmpty()
                ? ""
                : "Not committed yet, so no figures from: `" + String.join("`, `", missing)
                        + "` (`benchmarks/run.sh verdict` writes them).\n\n";
        return present.isEmpty() ? note : note + ReportGenerator.block(kind, rows, present);
    }

    /**
     * Rewrites (or with {@code --check}, checks) the blocks of a document in place.
     *
     * @param args the document, the results directory, optionally {@code --check}
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: ReadmeBlocks <document.md> <results-dir> [--check]");
            System.exit(2);
        }
        Path document = Path.of(args[0]);
        String text = Files.readString(document, StandardCharsets.UTF_8);
        String rewritten = rewrite(text, Path.of(args[1]));
        boolean check = args.length > 2 && args[2].equals("--check");
        if (rewritten.equals(text)) {
            System.out.println(document + ": " + blocks(text).size() + " block(s) up to date");
        } else if (check) {
            System.err.println(document + ": a benchmark block differs from its JSON; run without --check to rewrite");
            System.exit(1);
        } else {
            Files.writeString(document, rewritten, StandardCharsets.UTF_8);
            System.out.println(document + ": rewrote " + blocks(text).size() + " block(s)");
        }
    }
}
