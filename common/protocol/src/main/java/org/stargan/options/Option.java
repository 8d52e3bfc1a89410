package org.stargan.options;

import java.util.List;
import java.util.Locale;

/**
 * One option: its name (kebab-case, as typed after {@code --} and as a job field), the kind of value it takes and its
 * bounds, its default, its help line, the group it is listed under, and whether a training job may set it. Built with
 * the factory methods and refined with the {@code with…} methods, each returning a new option.
 *
 * @param name kebab-case name
 * @param kind what values it takes
 * @param valueName the placeholder in usage text (e.g. {@code N}, {@code DIR})
 * @param min smallest value (numbers), inclusive unless {@code minExclusive}
 * @param max largest value (numbers), inclusive unless {@code maxExclusive}
 * @param minExclusive whether {@code min} itself is refused
 * @param maxExclusive whether {@code max} itself is refused
 * @param choices the accepted values of a {@link Kind#CHOICE}
 * @param defaultValue the value when absent (Integer, Long, Double, String, List or Boolean), or null for none
 * @param defaultText how the default is described in usage text when it is not a plain value, or null
 * @param help one line of help
 * @param group the heading it is listed under
 * @param jobField whether a training job (the services' JSON form) may set it
 */
public record Option(
        String name,
        Kind kind,
        String valueName,
        double min,
        double max,
        boolean minExclusive,
        boolean maxExclusive,
        List<String> choices,
        Object defaultValue,
        String defaultText,
        String help,
        String group,
        boolean jobField) {

    /** What values an option takes. */
    public enum Kind {
        /** A whole number (int). */
        INTEGER,
        /** A whole number that may exceed an int (long): seeds. */
        LONG,
        /** A finite decimal number. */
        NUMBER,
        /** Any text. */
        TEXT,
        /** A file or directory. */
        PATH,
        /** One of {@link #choices}. */
        CHOICE,
        /** Comma-separated names ({@code A,B,C}), e.g. attributes. */
        NAMES,
        /** Present or absent, no value. */
        FLAG
    }

    /** Validates the declaration itself. */
    public Option {
        if (name == null || !name.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
            throw new IllegalArgumentException("option name '" + name + "', expected kebab-case");
        }
        choices = List.copyOf(choices);
        if (kind == Kind.CHOICE && choices.isEmpty()) {
            throw new IllegalArgumentException("option --" + name + ": a choice needs its choices");
        }
    }

    private static Option of(String name, Kind kind, String valueName, String help) {
        return draft(name, kind, valueName, help).build();
    }

    private static Draft draft(String name, Kind kind, String valueName, String help) {
        Draft d = new Draft();
        d.name = name;
        d.kind = kind;
        d.valueName = valueName;
        d.help = help;
        return d;
    }

    /** A whole number. */
    public static Option integer(String name, String help) {
        return of(name, Kind.INTEGER, "N", help);
    }

    /** A whole number as large as a long. */
    public static Option wholeNumber(String name, String help) {
        return of(name, Kind.LONG, "N", help);
    }

    /** A decimal number. */
    public static Option number(String name, String help) {
        return of(name, Kind.NUMBER, "X", help);
    }

    /** Any text. */
    public static Option text(String name, String valueName, String help) {
        return of(name, Kind.TEXT, valueName, help);
    }

    /** A file or directory. */
    public static Option path(String name, String valueName, String help) {
        return of(name, Kind.PATH, valueName, help);
    }

    /** Comma-separated names. */
    public static Option names(String name, String valueName, String help) {
        return of(name, Kind.NAMES, valueName, help);
    }

    /** A flag. */
    public static Option flag(String name, String help) {
        return of(name, Kind.FLAG, null, help);
    }

    /** One of {@code choices}. */
    public static Option choice(String name, List<String> choices, String help) {
        Draft d = draft(name, Kind.CHOICE, String.join("|", choices), help);
        d.choices = choices;
        return d.build();
    }

    /** At least {@code min}. */
    public Option atLeast(double min) {
        Draft d = draft();
        d.min = min;
        d.minExclusive = false;
        return d.build();
    }

    /** More than {@code min}. */
    public Option above(double min) {
        Draft d = draft();
        d.min = min;
        d.minExclusive = true;
        return d.build();
    }

    /** At most {@code max}. */
    public Option atMost(double max) {
        Draft d = draft();
        d.max = max;
        d.maxExclusive = false;
        return d.build();
    }

    /** Less than {@code max}. */
    public Option below(double max) {
        Draft d = draft();
        d.max = max;
        d.maxExclusive = true;
        return d.build();
    }

    /** The value when absent. */
    public Option byDefault(Object value) {
        Draft d = draft();
        d.defaultValue = value;
        return d.build();
    }

    /** A default that depends on other options, described in words for the usage text. */
    public Option defaultDescribed(String text) {
        Draft d = draft();
        d.defaultText = text;
        return d.build();
    }

    /** Listed under {@code heading}. */
    public Option inGroup(String heading) {
        Draft d = draft();
        d.group = heading;
        return d.build();
    }

    /** A training job may set it. */
    public Option forJobs() {
        Draft d = draft();
        d.jobField = true;
        return d.build();
    }

    private Draft draft() {
        Draft d = new Draft();
        d.name = name;
        d.kind = kind;
        d.valueName = valueName;
        d.min = min;
        d.max = max;
        d.minExclusive = minExclusive;
        d.maxExclusive = maxExclusive;
        d.choices = choices;
        d.defaultValue = defaultValue;
        d.defaultText = defaultText;
        d.help = help;
        d.group = group;
        d.jobField = jobField;
        return d;
    }

    /** The fields of an option being declared; {@link #build} validates them. */
    private static final class Draft {
        String name;
        Kind kind;
        String valueName;
        double min = Double.NEGATIVE_INFINITY;
        double max = Double.POSITIVE_INFINITY;
        boolean minExclusive;
        boolean maxExclusive;
        List<String> choices = List.of();
        Object defaultValue;
        String defaultText;
        String help;
        String group = "options";
        boolean jobField;

        Option build() {
            return new Option(
                    name,
                    kind,
                    valueName,
                    min,
                    max,
                    minExclusive,
                    maxExclusive,
                    choices,
                    defaultValue,
                    defaultText,
                    help,
                    group,
                    jobField);
        }
    }

    /** The value of {@code text} for this option; an {@link OptionException} naming it otherwise. */
    public Object parse(String command, String text) {
        String t = text.trim();
        try {
            Object value = switch (kind) {
                case INTEGER -> Integer.parseInt(t);
                case LONG -> Long.parseLong(t);
                case NUMBER -> Double.parseDouble(t);
                case TEXT, PATH -> text;
                case FLAG -> parseFlag(t);
                case CHOICE -> choices.contains(t) ? t : null;
                case NAMES -> names(t);
            };
            if (value != null && inRange(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below, with what was expected
        }
        throw new OptionException(command + ": --" + name + " '" + text + "', expected " + expected());
    }

    private static Object parseFlag(String t) {
        return switch (t.toLowerCase(Locale.ROOT)) {
            case "true", "" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> null;
        };
    }

    private static List<String> names(String t) {
        List<String> list = java.util.Arrays.stream(t.split("[,\\s]+"))
                .filter(s -> !s.isEmpty())
                .toList();
        return list.isEmpty() || !list.stream().allMatch(s -> s.matches("[A-Za-z0-9_]+")) ? null : list;
    }

    private boolean inRange(Object value) {
        if (!(value instanceof Number n)) {
            return !(value instanceof String s) || kind == Kind.CHOICE || !s.isEmpty();
        }
        double d = n.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return false;
        }
        boolean aboveMin = minExclusive ? d > min : d >= min;
        boolean belowMax = maxExclusive ? d < max : d <= max;
        return aboveMin && belowMax;
    }

    /** What a valid value looks like, in words: {@code a whole number ≥ 1}, {@code a number in [0, 1)}. */
    public String expected() {
        return switch (kind) {
            case INTEGER, LONG -> "a whole number" + bounds();
            case NUMBER -> (Double.isInfinite(max) ? "a finite number" : "a number") + bounds();
            case TEXT -> "some text";
            case PATH -> "a path";
            case FLAG -> "true or false";
            case CHOICE ->
                choices.size() == 1
                        ? choices.get(0)
                        : String.join(", ", choices.subList(0, choices.size() - 1)) + " or "
                                + choices.get(choices.size() - 1);
            case NAMES -> "names separated by commas (letters, digits, _)";
        };
    }

    private String bounds() {
        boolean lower = !Double.isInfinite(min);
        boolean upper = !Double.isInfinite(max);
        if (lower && upper) {
            if (kind != Kind.NUMBER) {
                return " in " + show(min) + ".." + show(max);
            }
            return " in " + (minExclusive ? "(" : "[") + show(min) + ", " + show(max) + (maxExclusive ? ")" : "]");
        }
        if (lower) {
            return (minExclusive ? " > " : " ≥ ") + show(min);
        }
        if (upper) {
            return (maxExclusive ? " < " : " ≤ ") + show(max);
        }
        return "";
    }

    private static String show(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** The usage line: {@code --batch-size N   images per iteration (default 16)}. */
    public String usageLine() {
        String head = "--" + name + (kind == Kind.FLAG ? "" : " " + valueName);
        String def = defaultText != null
                ? " (default " + defaultText + ")"
                : defaultValue == null || kind == Kind.FLAG ? "" : " (default " + showDefault() + ")";
        return head + "\t" + help + def;
    }

    private String showDefault() {
        if (defaultValue instanceof Double d) {
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : d.toString();
        }
        if (defaultValue instanceof List<?> l) {
            return String.join(",", l.stream().map(String::valueOf).toList());
        }
        return String.valueOf(defaultValue);
    }
}
