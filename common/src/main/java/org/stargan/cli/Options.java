package org.stargan.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * {@code --name value} and {@code --flag} options of one command, checked against the names the command knows, with
 * errors that name the option, the value and what was expected.
 */
final class Options {
    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();

    private Options(String command) {
        this.command = command;
    }

    /** Parses {@code args}; {@code valued} options take a value, {@code flags} do not. */
    static Options parse(String command, List<String> args, Set<String> valued, Set<String> flags) {
        Options o = new Options(command);
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new UsageException(command + ": unexpected argument '" + a + "'; options start with --");
            }
            String name = a.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name)) {
                o.values.put(name, "true");
            } else if (valued.contains(name)) {
                String v = inline;
                if (v == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException(command + ": option --" + name + " needs a value");
                    }
                    v = args.get(++i);
                }
                o.values.put(name, v);
            } else {
                throw new UsageException(command + ": unknown option --" + name + "; known: "
                        + String.join(", ", valued.stream().map(s -> "--" + s).toList())
                        + (flags.isEmpty()
                                ? ""
                                : ", "
                                        + String.join(
                                                ", ",
                                                flags.stream()
                                                        .map(s -> "--" + s)
                                                        .toList())));
            }
        }
        return o;
    }

    String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    boolean flag(String name) {
        return values.containsKey(name);
    }

    int positiveInt(String name, int fallback) {
        return checked(name, fallback, Integer::parseInt, n -> n >= 1, "a whole number ≥ 1");
    }

    int nonNegativeInt(String name, int fallback) {
        return checked(name, fallback, Integer::parseInt, n -> n >= 0, "a whole number ≥ 0");
    }

    double nonNegativeNumber(String name, double fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        double d;
        try {
            d = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " '" + v + "', expected a number");
        }
        if (!(d >= 0) || Double.isInfinite(d)) {
            throw new UsageException(command + ": --" + name + " '" + v + "', expected a finite number ≥ 0");
        }
        return d;
    }

    /** A number in [0, 1) (a decay rate such as Adam's betas), or {@code fallback} when the option is absent. */
    double fractionBelowOne(String name, double fallback) {
        return checked(name, fallback, Double::parseDouble, d -> d >= 0 && d < 1, "a number in [0, 1)");
    }

    /**
     * The option's value parsed and accepted by {@code valid}, or {@code fallback} when it is absent; a value that does
     * not parse or is not valid gets one message naming the option, the value and {@code expected}.
     */
    private <T> T checked(String name, T fallback, Function<String, T> parse, Predicate<T> valid, String expected) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            T value = parse.apply(v.trim());
            if (valid.test(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below, with what was expected
        }
        throw new UsageException(command + ": --" + name + " '" + v + "', expected " + expected);
    }

    /** A command-line mistake: printed with the command's usage, exit status 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
