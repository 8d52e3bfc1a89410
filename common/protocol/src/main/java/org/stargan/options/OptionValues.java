package org.stargan.options;

import java.util.List;
import java.util.Map;

/**
 * The options one command invocation (or one training job) gave, parsed and checked by its {@link OptionTable};
 * absent ones read as their declared defaults.
 */
public final class OptionValues {
    private final OptionTable table;
    private final Map<String, Object> given;

    OptionValues(OptionTable table, Map<String, Object> given) {
        this.table = table;
        this.given = Map.copyOf(given);
    }

    /** Whether the option was given. */
    public boolean has(String name) {
        return given.containsKey(table.option(name).name());
    }

    /** The given value, else the default (null when there is none). */
    public Object value(String name) {
        Option o = table.option(name);
        return given.containsKey(name) ? given.get(name) : o.defaultValue();
    }

    /** The options given, by name, as parsed values. */
    public Map<String, Object> given() {
        return given;
    }

    /** An {@link Option.Kind#INTEGER} option. */
    public int integer(String name) {
        return ((Number) required(name)).intValue();
    }

    /** An {@link Option.Kind#INTEGER} option, or {@code fallback} when neither given nor defaulted. */
    public int integer(String name, int fallback) {
        Object v = value(name);
        return v == null ? fallback : ((Number) v).intValue();
    }

    /** An {@link Option.Kind#LONG} option. */
    public long wholeNumber(String name) {
        return ((Number) required(name)).longValue();
    }

    /** A {@link Option.Kind#NUMBER} option. */
    public double number(String name) {
        return ((Number) required(name)).doubleValue();
    }

    /** A text, path or choice option; null when neither given nor defaulted. */
    public String text(String name) {
        Object v = value(name);
        return v == null ? null : v.toString();
    }

    /** A {@link Option.Kind#NAMES} option; null when neither given nor defaulted. */
    @SuppressWarnings("unchecked")
    public List<String> names(String name) {
        return (List<String>) value(name);
    }

    /** A flag. */
    public boolean flag(String name) {
        return Boolean.TRUE.equals(value(name));
    }

    /** The value of an option a command cannot do without; names the option, and what it is for, when it is missing. */
    public Object required(String name) {
        Object v = value(name);
        if (v == null) {
            Option o = table.option(name);
            String what = o.help().replace(" (required)", "");
            throw new OptionException(table.command() + ": --" + name + " is required (" + what + ")");
        }
        return v;
    }

    /** The table these values were read against. */
    public OptionTable table() {
        return table;
    }
}
