package org.stargan.options;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of one command, declared once: parsing ({@code --name value}, {@code --name=value}, flags, and for the
 * services the {@code STARGAN_*} environment variables an option may also come from), the error for an unknown or
 * malformed option, and the usage text all derive from it, so they cannot drift apart.
 */
public final class OptionTable {
    /** Usage text is wrapped at this width, so that it reads in an 80–120 column terminal. */
    private static final int WIDTH = 118;

    private final String command;
    private final Map<String, Option> options = new LinkedHashMap<>();
    /** Option name → environment variables it is also read from, the first one set winning. */
    private final Map<String, List<String>> environment;

    /** @param command the command's name as users type it ({@code train}, {@code bench serve}) */
    public OptionTable(String command, List<Option> options) {
        this(command, options, Map.of());
    }

    private OptionTable(String command, List<Option> options, Map<String, List<String>> environment) {
        this.command = command;
        for (Option o : options) {
            if (this.options.put(o.name(), o) != null) {
                throw new IllegalArgumentException(command + ": option --" + o.name() + " declared twice");
            }
        }
        for (String name : environment.keySet()) {
            if (!this.options.containsKey(name)) {
                throw new IllegalArgumentException(command + ": environment for undeclared option --" + name);
            }
        }
        this.environment = Map.copyOf(environment);
    }

    /**
     * The same table where {@code option} may also come from the environment: the first of {@code variables} that is
     * set (and not blank) gives its value when the command line does not. For the services, which containers and
     * Kubernetes configure through the environment.
     */
    public OptionTable withEnvironment(String option, String... variables) {
        option(option);
        Map<String, List<String>> env = new LinkedHashMap<>(environment);
        env.put(option, List.of(variables));
        return new OptionTable(command, new ArrayList<>(options.values()), env);
    }

    /** The environment variables {@code option} is read from, in order; empty when none. */
    public List<String> environment(String option) {
        return environment.getOrDefault(option, List.of());
    }

    /** Whether the arguments ask for the usage text ({@code --help} or {@code -h} anywhere). */
    public static boolean asksForHelp(List<String> args) {
        return args.contains("--help") || args.contains("-h");
    }

    /**
     * What {@code --help} prints: {@code usage: stargan <synopsis>} (further lines indented under the first), what the
     * command does ({@code about}, printed as written), and every option of the table under its heading.
     */
    public String help(String synopsis, String about) {
        String indent = " ".repeat("usage: stargan ".length());
        StringBuilder sb = new StringBuilder("usage: stargan ")
                .append(synopsis.strip().replace("\n", "\n" + indent))
                .append("\n\n");
        if (!about.isBlank()) {
            // Written as it should print (a text block, lines under the wrapping width), lists and all.
            sb.append(about.stripTrailing()).append("\n\n");
        }
        return sb.append(usage()).toString();
    }

    /** Where a user who typed something wrong reads on: {@code see ./stargan train --help}. */
    public String hint() {
        return "see ./stargan " + command + " --help";
    }

    /** The command's name. */
    public String command() {
        return command;
    }

    /** Every option, in declaration order. */
    public List<Option> options() {
        return List.copyOf(options.values());
    }

    /** The option called {@code name}; an {@link IllegalArgumentException} for a name the table lacks (a bug). */
    public Option option(String name) {
        Option o = options.get(name);
        if (o == null) {
            throw new IllegalArgumentException(command + " has no option --" + name);
        }
        return o;
    }

    /** Whether the table declares {@code name}. */
    public boolean declares(String name) {
        return options.containsKey(name);
    }

    /** A table with these options and more (a command that extends another's, e.g. the data options). */
    public OptionTable with(String otherCommand, List<Option> more) {
        List<Option> all = new ArrayList<>(options.values());
        all.addAll(more);
        return new OptionTable(otherCommand, all);
    }

    /** A table with only the options {@code keep} accepts (e.g. the ones a training job may set). */
    public OptionTable only(String otherCommand, java.util.function.Predicate<Option> keep) {
        return new OptionTable(
                otherCommand, options.values().stream().filter(keep).toList());
    }

    /** Parses command-line arguments; an {@link OptionException} names the first wrong one. */
    public OptionValues parse(List<String> args) {
        return parse(args, Map.of());
    }

    /**
     * Parses command-line arguments over the values the environment {@code env} gives (for the options declared
     * {@link #withEnvironment with variables}); the command line wins. A malformed variable is named in the error.
     */
    public OptionValues parse(List<String> args, Map<String, String> env) {
        Map<String, Object> given = new LinkedHashMap<>();
        environment.forEach((name, variables) -> {
            for (String variable : variables) {
                String v = env.get(variable);
                if (v != null && !v.isBlank()) {
                    Option o = options.get(name);
                    try {
                        given.put(name, o.parse(command, v));
                    } catch (OptionException e) {
                        throw new OptionException(command + ": environment variable " + variable + "='" + v
                                + "' (for --" + name + "), expected " + o.expected());
                    }
                    break;
                }
            }
        });
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new OptionException(command + ": unexpected argument '" + a + "'; options start with --");
            }
            String name = a.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Option o = options.get(name);
            if (o == null) {
                throw new OptionException(
                        command + ": unknown option --" + name + suggestion(name) + "; known: " + known());
            }
            String v = inline;
            if (o.kind() == Option.Kind.FLAG) {
                v = v == null ? "true" : v;
            } else if (v == null) {
                if (i + 1 >= args.size()) {
                    throw new OptionException(command + ": option --" + name + " needs a value (" + o.expected() + ")");
                }
                v = args.get(++i);
            }
            given.put(name, o.parse(command, v));
        }
        return new OptionValues(this, given);
    }

    /** Parses named values (a training job's options); an {@link OptionException} names the first wrong one. */
    public OptionValues parse(Map<String, String> named) {
        Map<String, Object> given = new LinkedHashMap<>();
        named.forEach((name, v) -> {
            Option o = options.get(name);
            if (o == null) {
                throw new OptionException(command + ": unknown option --" + name + "; known: " + known());
            }
            given.put(name, o.parse(command, v));
        });
        return new OptionValues(this, given);
    }

    private String known() {
        return String.join(", ", options.keySet().stream().map(s -> "--" + s).toList());
    }

    /** {@code " (did you mean --batch-size?)"} for a near miss of a declared name, else empty. */
    private String suggestion(String typed) {
        String best = closest(typed, options.keySet());
        return best == null ? "" : " (did you mean --" + best + "?)";
    }

    /**
     * The one of {@code names} that {@code typed} is a near miss of (a typo, a missing or extra dash: at most two
     * edits, fewer for short words), or null; for "did you mean" in messages about options and commands.
     */
    public static String closest(String typed, java.util.Collection<String> names) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String name : names) {
            int d = distance(typed, name);
            if (d < bestDistance) {
                best = name;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.min(2, typed.length() / 3) ? best : null;
    }

    /** Edits between two words: insertions, deletions, substitutions and swaps of neighbours ("trian" → "train"). */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1));
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /**
     * The options under their group headings, aligned and wrapped, each with its default and the environment
     * variables it is also read from: what {@code <command> --help} prints after its usage line.
     */
    public String usage() {
        Map<String, List<Option>> groups = new LinkedHashMap<>();
        options.values()
                .forEach(o -> groups.computeIfAbsent(o.group(), k -> new ArrayList<>())
                        .add(o));
        int width = 0;
        for (Option o : options.values()) {
            width = Math.max(width, o.usageLine().indexOf('\t'));
        }
        // A very long option head would leave no room for its help: such a head gets a line of its own.
        int column = Math.min(width, 28);
        String indent = " ".repeat(2 + column + 2);
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, List<Option>> g : groups.entrySet()) {
            sb.append(g.getKey()).append(":\n");
            for (Option o : g.getValue()) {
                String[] parts = o.usageLine().split("\t", 2);
                String text = parts[1] + variables(o.name());
                String head = "  " + String.format("%-" + column + "s", parts[0]) + "  ";
                if (parts[0].length() > column) {
                    sb.append("  ").append(parts[0]).append('\n');
                    head = indent;
                }
                sb.append(head)
                        .append(wrap(text, indent, WIDTH - indent.length())
                                .strip()
                                .replace('\u00a0', ' '))
                        .append('\n');
            }
        }
        return sb.toString();
    }

    private String variables(String option) {
        List<String> vars = environment(option);
        // Non-breaking spaces keep "[env NAME]" on one line when wrapped.
        return vars.isEmpty() ? "" : " [env\u00a0" + String.join("\u00a0or\u00a0", vars) + "]";
    }

    /** {@code text} broken into lines of at most {@code width} characters, every line after the first indented. */
    private static String wrap(String text, String indent, int width) {
        StringBuilder out = new StringBuilder();
        int lineLength = 0;
        for (String word : text.split(" ")) {
            if (word.isEmpty()) {
                continue;
            }
            if (lineLength > 0 && lineLength + 1 + word.length() > width) {
                out.append('\n').append(indent);
                lineLength = 0;
            } else if (lineLength > 0) {
                out.append(' ');
                lineLength++;
            }
            out.append(word);
            lineLength += word.length();
        }
        return out.toString();
    }
}
