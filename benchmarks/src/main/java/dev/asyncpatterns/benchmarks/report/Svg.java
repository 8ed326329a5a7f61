package dev.asyncpatterns.benchmarks.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/*
 * Maintainer's note.
 *
 * Hand-written SVG so the report needs nothing beyond the JDK. Only static shapes and text, no
 * scripts, CSS or external fonts: that is what GitHub's Markdown renderer and every browser show
 * inline from an <img>/![]() reference. Colours come from one fixed palette in series order, so charts
 * that list the same series in the same order colour them alike. NaN values are skipped (a missing benchmark leaves a gap, not a crash).
 */
/** Minimal SVG charts for the benchmark report: grouped horizontal bars and log-log lines. */
public final class Svg {

    private static final String[] PALETTE = {
        "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"
    };
    private static final String FONT = "font-family=\"sans-serif\"";

    private Svg() {}

    /**
     * One named line of points.
     *
     * @param name the legend label
     * @param points x to y; non-positive or NaN values are skipped on log axes
     * @param dashed whether to draw it dashed (for reference lines such as "ideal")
     */
    public record Series(String name, Map<Double, Double> points, boolean dashed) {}

    /**
     * One group of bars, one bar per series name.
     *
     * @param label the group label on the left
     * @param values series name to value (NaN: no bar)
     */
    public record Group(String label, Map<String, Double> values) {}

    /**
     * A horizontal grouped bar chart.
     *
     * @param title the chart title
     * @param axisLabel the value axis label
     * @param groups the groups, top to bottom
     * @param reference a value to mark with a vertical dashed line (NaN for none)
     * @param valueFormat a {@link String#format} pattern for the value printed after each bar
     * @return the SVG document
     */
    public static String barChart(
            String title, String axisLabel, List<Group> groups, double reference, String valueFormat) {
        Set<String> seriesNames = new LinkedHashSet<>();
        double max = Double.isNaN(reference) ? 0 : reference;
        for (Group group : groups) {
            group.values().forEach((name, value) -> {
                seriesNames.add(name);
            });
            for (double value : group.values().values()) {
                if (Double.isFinite(value)) {
                    max = Math.max(max, value);
                }
            }
        }
        if (max <= 0) {
            max = 1;
        }
        List<String> names = new ArrayList<>(seriesNames);
        int barHeight = 14;
        int groupGap = 12;
        int longest = groups.stream().mapToInt(g -> g.label().length()).max().orElse(10);
        int labelWidth = Math.max(120, (int) (longest * 6.6) + 16);
        int plotWidth = 520;
        int legendHeight = 18 * ((names.size() + 2) / 3);
        int top = 40 + legendHeight;
        int height = top + 40;
        for (Group group : groups) {
            height += group.values().size() * barHeight + groupGap;
        }
        int width = labelWidth + plotWidth + 90;
        StringBuilder svg = header(width, height, title);
        // legend
        for (int i = 0; i < names.size(); i++) {
            int lx = 10 + (i % 3) * 240;
            int ly = 36 + (i / 3) * 18;
            svg.append(rect(lx, ly - 10, 12, 12, color(i), ""));
            svg.append(text(lx + 18, ly, 12, "start", names.get(i)));
        }
        double step = niceStep(max * 1.05 / 5);
        double axisMax = Math.ceil(max * 1.05 / step) * step;
        double scale = plotWidth / axisMax;
        int plotBottom = height - 40;
        for (double value = 0; value <= axisMax + step / 2; value += step) {
            double x = labelWidth + value * scale;
            svg.append(line(x, top - 4, x, plotBottom, "#dddddd", false));
            svg.append(text(x, plotBottom + 14, 11, "middle", tick(value, step)));
        }
        svg.append(text(labelWidth + plotWidth / 2.0, plotBottom + 32, 12, "middle", axisLabel));
        int y = top;
        for (Group group : groups) {
            int groupHeight = group.values().size() * barHeight;
            svg.append(text(labelWidth - 8, y + groupHeight / 2.0 + 4, 12, "end", group.label()));
            for (Map.Entry<String, Double> bar : group.values().entrySet()) {
                double value = bar.getValue();
                if (Double.isFinite(value)) {
                    double w = Math.max(1, value * scale);
                    svg.append(rect(
                            labelWidth,
                            y + 1,
                            w,
                            barHeight - 2,
                            color(names.indexOf(bar.getKey())),
                            bar.getKey() + ": " + format(valueFormat, value)));
                    svg.append(text(labelWidth + w + 4, y + barHeight - 3, 10, "start", format(valueFormat, value)));
                }
                y += barHeight;
            }
            y += groupGap;
        }
        if (Double.isFinite(reference)) {
            double x = labelWidth + reference * scale;
            svg.append(line(x, top - 4, x, plotBottom, "#333333", true));
        }
        svg.append(line(labelWidth, top - 4, labelWidth, plotBottom, "#333333", false));
        return svg.append("</svg>\n").toString();
    }

    /**
     * A line chart with logarithmic x and y axes.
     *
     * @param title the chart title
     * @param xLabel the x axis label
     * @param yLabel the y axis label
     * @param series the lines
     * @return the SVG document
     */
    public static String logLogChart(String title, String xLabel, String yLabel, List<Series> series) {
        double minX = Double.MAX_VALUE;
        double maxX = 0;
        double minY = Double.MAX_VALUE;
        double maxY = 0;
        for (Series s : series) {
            for (Map.Entry<Double, Double> p : s.points().entrySet()) {
                if (usable(p.getKey()) && usable(p.getValue())) {
                    minX = Math.min(minX, p.getKey());
                    maxX = Math.max(maxX, p.getKey());
                    minY = Math.min(minY, p.getValue());
                    maxY = Math.max(maxY, p.getValue());
                }
            }
        }
        if (maxX == 0) {
            minX = minY = 1;
            maxX = maxY = 10;
        }
        double x0 = Math.floor(Math.log10(minX));
        double x1 = Math.max(x0 + 1, Math.ceil(Math.log10(maxX)));
        double y0 = Math.floor(Math.log10(minY));
        double y1 = Math.max(y0 + 1, Math.ceil(Math.log10(maxY)));
        int left = 80;
        int plotWidth = 520;
        int plotHeight = 320;
        int legendHeight = 18 * ((series.size() + 2) / 3);
        int top = 40 + legendHeight;
        int width = left + plotWidth + 40;
        int height = top + plotHeight + 50;
        StringBuilder svg = header(width, height, title);
        for (int i = 0; i < series.size(); i++) {
            int lx = 10 + (i % 3) * 210;
            int ly = 36 + (i / 3) * 18;
            svg.append(line(
                    lx,
                    ly - 4,
                    lx + 14,
                    ly - 4,
                    seriesColor(series, i),
                    series.get(i).dashed()));
            svg.append(text(lx + 20, ly, 12, "start", series.get(i).name()));
        }
        for (double d = x0; d <= x1; d++) {
            double x = left + (d - x0) / (x1 - x0) * plotWidth;
            svg.append(line(x, top, x, top + plotHeight, "#dddddd", false));
            svg.append(text(x, top + plotHeight + 14, 11, "middle", decade(d)));
        }
        for (double d = y0; d <= y1; d++) {
            double y = top + plotHeight - (d - y0) / (y1 - y0) * plotHeight;
            svg.append(line(left, y, left + plotWidth, y, "#dddddd", false));
            svg.append(text(left - 6, y + 4, 11, "end", decade(d)));
        }
        svg.append(text(left + plotWidth / 2.0, top + plotHeight + 34, 12, "middle", xLabel));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"16\" y=\"%.1f\" font-size=\"12\" %s text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">%s</text>%n",
                top + plotHeight / 2.0,
                FONT,
                top + plotHeight / 2.0,
                escape(yLabel)));
        svg.append(line(left, top, left, top + plotHeight, "#333333", false));
        svg.append(line(left, top + plotHeight, left + plotWidth, top + plotHeight, "#333333", false));
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            StringBuilder path = new StringBuilder();
            List<double[]> dots = new ArrayList<>();
            for (Map.Entry<Double, Double> p : s.points().entrySet()) {
                if (!usable(p.getKey()) || !usable(p.getValue())) {
                    continue;
                }
                double x = left + (Math.log10(p.getKey()) - x0) / (x1 - x0) * plotWidth;
                double y = top + plotHeight - (Math.log10(p.getValue()) - y0) / (y1 - y0) * plotHeight;
                path.append(path.isEmpty() ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
                dots.add(new double[] {x, y, p.getKey(), p.getValue()});
            }
            if (path.isEmpty()) {
                continue;
            }
            svg.append(String.format(
                    Locale.ROOT,
                    "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    path,
                    seriesColor(series, i),
                    s.dashed() ? " stroke-dasharray=\"6 4\"" : ""));
            if (!s.dashed()) {
                for (double[] dot : dots) {
                    svg.append(String.format(
                            Locale.ROOT,
                            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s: %s → %s</title></circle>%n",
                            dot[0],
                            dot[1],
                            seriesColor(series, i),
                            escape(s.name()),
                            format("%.0f", dot[2]),
                            format("%.3g", dot[3])));
                }
            }
        }
        return svg.append("</svg>\n").toString();
    }

    private static boolean usable(Double value) {
        return value != null && Double.isFinite(value) && value > 0;
    }

    private static String seriesColor(List<Series> series, int index) {
        return series.get(index).dashed() ? "#555555" : color(index);
    }

    private static String color(int index) {
        return PALETTE[Math.floorMod(index, PALETTE.length)];
    }

    private static String decade(double exponent) {
        double value = Math.pow(10, exponent);
        if (value >= 1) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        return String.format(Locale.ROOT, "%s", Double.toString(value));
    }

    /** The smallest 1, 2, 2.5 or 5 x 10^k step not below {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double factor : new double[] {1, 2, 2.5, 5, 10}) {
            if (factor * magnitude >= raw * (1 - 1e-9)) {
                return factor * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String tick(double value, double step) {
        int decimals = Math.max(
                0, java.math.BigDecimal.valueOf(step).stripTrailingZeros().scale());
        return String.format(Locale.ROOT, "%,." + decimals + "f", value);
    }

    private static String format(String pattern, double value) {
        return String.format(Locale.ROOT, pattern, value);
    }

    private static StringBuilder header(int width, int height, String title) {
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">%n",
                width,
                height,
                width,
                height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n", width, height));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"10\" y=\"18\" font-size=\"15\" font-weight=\"bold\" %s>%s</text>%n",
                FONT,
                escape(title)));
        return svg;
    }

    private static String rect(double x, double y, double w, double h, String fill, String tooltip) {
        String title = tooltip.isEmpty() ? "" : "<title>" + escape(tooltip) + "</title>";
        return String.format(
                Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">%s</rect>%n",
                x,
                y,
                w,
                h,
                fill,
                title);
    }

    private static String line(double x1, double y1, double x2, double y2, String stroke, boolean dashed) {
        return String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%s\"%s/>%n",
                x1,
                y1,
                x2,
                y2,
                stroke,
                dashed ? "1.5" : "1",
                dashed ? " stroke-dasharray=\"5 4\"" : "");
    }

    private static String text(double x, double y, int size, String anchor, String content) {
        return String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" %s text-anchor=\"%s\">%s</text>%n",
                x,
                y,
                size,
                FONT,
                anchor,
                escape(content));
    }

    /**
     * Escapes text for XML content and attributes.
     *
     * @param text raw text
     * @return escaped text
     */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
