package org.stargan.deploy.protocol;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kcat example of {@code docs/protocol.md}: its commands in order, each with the output line the document shows
 * after it (if any). Lines starting with {@code #} are comments; a command starts with {@code kcat} and goes on while a
 * line ends with a backslash; any other line is what the command before it printed.
 */
final class KcatExample {
    private static final String HEADING = "## Example with kcat";
    private static final Pattern RESULT_LINE = Pattern.compile("(\\S+) (\\d+) (\\d+) (.*)");

    /** One documented command and the line the document says it prints (null when it shows none). */
    record Step(String command, String shownOutput) {
        /** Whether it looks a result up by key (and should be run again until it prints something). */
        boolean isLookup() {
            return command.contains("| grep -m1 ");
        }
    }

    /** A result line as step 2 prints it: key, partition, offset and headers. */
    record ResultLine(String key, int partition, long offset, Map<String, String> headers) {
        /** Parses {@code key partition offset name=value,name=value,...}. */
        static ResultLine parse(String line) {
            Matcher m = RESULT_LINE.matcher(line.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException(
                        "result line '" + line + "', expected 'key partition offset headers'");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            // Values may contain commas (error messages): a new header starts only at ",stargan.<name>=".
            for (String h : m.group(4).split(",(?=stargan\\.[a-z.-]+=)")) {
                int eq = h.indexOf('=');
                headers.put(h.substring(0, eq), h.substring(eq + 1));
            }
            return new ResultLine(m.group(1), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)), headers);
        }
    }

    private KcatExample() {}

    /** The steps of the first code block under the heading "Example with kcat". */
    static List<Step> parse(String markdown) {
        int heading = markdown.indexOf(HEADING);
        if (heading < 0) {
            throw new IllegalArgumentException("no '" + HEADING + "' section");
        }
        int open = markdown.indexOf("```", heading);
        int start = markdown.indexOf('\n', open) + 1;
        int close = markdown.indexOf("```", start);
        List<Step> steps = new ArrayList<>();
        StringBuilder command = null;
        for (String line : markdown.substring(start, close).split("\n")) {
            if (command != null) {
                command.append('\n').append(line);
                if (!line.endsWith("\\")) {
                    steps.add(new Step(command.toString(), null));
                    command = null;
                }
            } else if (line.startsWith("#") || line.isBlank()) {
                continue;
            } else if (line.startsWith("kcat ")) {
                if (line.endsWith("\\")) {
                    command = new StringBuilder(line);
                } else {
                    steps.add(new Step(line, null));
                }
            } else {
                if (steps.isEmpty() || steps.get(steps.size() - 1).shownOutput() != null) {
                    throw new IllegalArgumentException("output line '" + line + "' follows no command");
                }
                Step last = steps.remove(steps.size() - 1);
                steps.add(new Step(last.command(), line));
            }
        }
        return steps;
    }
}
