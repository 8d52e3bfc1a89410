package org.stargan.options;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of one command, declared once: parsing ({@code --name value}, {@code --name=value}, flags), the error
 * for an unknown or malformed option, and the usage text all derive from it, so they cannot drift apart.
 */
public final class OptionTable {
    private final String command;
    private final Map<String, Option> options = new LinkedHashMap<>();

    /** @param command the command's name as users type it ({@code train}, {@code bench serve}) */
    public OptionTable(String command, List<Option> options) {
        this.command = command;
        for (Option o : options) {
            if (this.options.put(o.name(), o) != null) {
                throw new IllegalArgumentException(command + ": option --" + o.name() + " declared twice");
            }
        }
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
        Map<String, Object> given = new LinkedHashMap<>();
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
                throw new OptionException(command + ": unknown option --" + name + "; known: " + known());
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

    /** The options under their group headings, aligned: what {@code <command> --help} prints after its usage line. */
    public String usage() {
        Map<String, List<Option>> groups = new LinkedHashMap<>();
        options.values()
                .forEach(o -> groups.computeIfAbsent(o.group(), k -> new ArrayList<>())
                        .add(o));
        int width = 0;
        for (Option o : options.values()) {
            width = Math.max(width, o.usageLine().indexOf('\t'));
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, List<Option>> g : groups.entrySet()) {
            sb.append(g.getKey()).append(":\n");
            for (Option o : g.getValue()) {
                String[] parts = o.usageLine().split("\t", 2);
                sb.append("  ")
                        .append(String.format("%-" + width + "s", parts[0]))
                        .append("  ")
                        .append(parts[1])
                        .append('\n');
            }
        }
        return sb.toString();
    }
}
