package org.stargan.msg;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The domains of a model (the entries of c) by name, with the groups of which at most one can be on (hair colours),
 * and the label vectors users ask for: named edits like {@code Blond_Hair=1,Male=0.5} and the official test mode's
 * one-column-per-domain targets.
 *
 * <p>One rule for every way in (the CLI, HTTP, the WebSocket, Kafka), enforced here: a label value is a finite number
 * in 0..1 (the model was trained on 0 and 1; fractions blend a domain in), and domain names match case-insensitively
 * when no name matches exactly.
 */
public final class DomainLabels {
    /** The official code treats these CelebA attributes as one exclusive group ({@code create_labels}). */
    public static final List<String> HAIR_COLOURS = List.of("Black_Hair", "Blond_Hair", "Brown_Hair", "Gray_Hair");

    private final List<String> names;
    private final List<List<String>> exclusiveGroups;

    /** Domains in label order and their exclusive groups (names must be domains). */
    public DomainLabels(List<String> names, List<List<String>> exclusiveGroups) {
        this.names = List.copyOf(names);
        this.exclusiveGroups = exclusiveGroups.stream().map(List::copyOf).toList();
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                throw new IllegalArgumentException("domain '" + n + "' appears twice in " + names);
            }
        }
        for (List<String> g : this.exclusiveGroups) {
            for (String n : g) {
                if (!seen.contains(n)) {
                    throw new IllegalArgumentException(
                            "exclusive group " + g + " names '" + n + "', not a domain of " + names);
                }
            }
        }
    }

    /**
     * Named domains with the official grouping: the hair colours among them form one exclusive group; for
     * single-label datasets (RaFD, folders) all domains form one group.
     */
    public static DomainLabels withOfficialGroups(List<String> names, boolean singleLabel) {
        if (singleLabel) {
            return new DomainLabels(names, List.of(names));
        }
        List<String> hair = names.stream().filter(HAIR_COLOURS::contains).toList();
        return new DomainLabels(names, hair.size() > 1 ? List.of(hair) : List.of());
    }

    /** Unnamed domains {@code domain0..domainN-1} (an official checkpoint carries no names). */
    public static DomainLabels unnamed(int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add("domain" + i);
        }
        return new DomainLabels(names, List.of());
    }

    /** Domain names in label order. */
    public List<String> names() {
        return names;
    }

    /** The exclusive groups. */
    public List<List<String>> exclusiveGroups() {
        return exclusiveGroups;
    }

    /** Number of domains (c_dim). */
    public int size() {
        return names.size();
    }

    /** Parses a raw label vector {@code v1,v2,...} of exactly {@link #size()} numbers in 0..1. */
    public float[] parseVector(String text, String field) {
        String[] parts = text.split(",");
        if (parts.length != names.size()) {
            throw new IllegalArgumentException(field + ": '" + text + "' has " + parts.length + " values, expected "
                    + names.size() + " (one per domain: " + String.join(", ", names) + ")");
        }
        float[] v = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = inRange(number(parts[i], field, text), names.get(i), field);
        }
        return v;
    }

    /**
     * Applies edits {@code Name=value,...} to a copy of {@code base}. Turning on a member of an exclusive group
     * (value > 0) turns the other members off unless they are set in the same edit. A domain named twice is refused.
     */
    public float[] applyTargets(String spec, float[] base, String field) {
        float[] v = base.clone();
        List<Integer> explicit = new ArrayList<>();
        List<String[]> pairs = new ArrayList<>();
        for (String item : spec.split(",")) {
            String t = item.trim();
            if (t.isEmpty()) {
                continue;
            }
            int eq = t.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(field + ": '" + t + "' is not Name=value (e.g. Blond_Hair=1)");
            }
            String name = t.substring(0, eq).trim();
            int index = indexOf(name);
            if (index < 0) {
                throw new IllegalArgumentException(
                        field + ": unknown domain '" + name + "'; this model's domains: " + String.join(", ", names));
            }
            if (explicit.contains(index)) {
                // Which of the two was meant cannot be told; taking the last one silently hid typos.
                throw new IllegalArgumentException(field + ": domain '" + names.get(index) + "' is given twice in '"
                        + spec.trim() + "', expected each domain at most once");
            }
            explicit.add(index);
            pairs.add(new String[] {name, t.substring(eq + 1)});
        }
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException(
                    field + ": empty, expected Name=value pairs such as " + names.get(0) + "=1");
        }
        for (String[] p : pairs) {
            int index = indexOf(p[0]);
            String name = names.get(index); // as the model spells it: p[0] may differ in case
            float value = inRange(number(p[1], field, p[0] + "=" + p[1]), name, field);
            v[index] = value;
            if (value > 0) {
                for (List<String> g : exclusiveGroups) {
                    if (g.contains(name)) {
                        for (String other : g) {
                            int o = indexOf(other);
                            if (o != index && !explicit.contains(o)) {
                                v[o] = 0;
                            }
                        }
                    }
                }
            }
        }
        return v;
    }

    /**
     * The official test mode's targets, one per domain: a member of an exclusive group is turned on and the rest of
     * its group off; any other domain is flipped (0 ↔ 1), as {@code create_labels} does.
     */
    public List<float[]> allDomainTargets(float[] base) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            float[] v = base.clone();
            List<String> group = groupOf(names.get(i));
            if (group != null) {
                for (String other : group) {
                    v[indexOf(other)] = 0;
                }
                v[i] = 1;
            } else {
                v[i] = v[i] == 0 ? 1 : 0;
            }
            out.add(v);
        }
        return out;
    }

    private List<String> groupOf(String name) {
        for (List<String> g : exclusiveGroups) {
            if (g.contains(name)) {
                return g;
            }
        }
        return null;
    }

    private int indexOf(String name) {
        int i = names.indexOf(name);
        if (i >= 0) {
            return i;
        }
        for (int j = 0; j < names.size(); j++) {
            if (names.get(j).toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return j;
            }
        }
        return -1;
    }

    private static float inRange(float value, String domain, String field) {
        if (value < 0 || value > 1) {
            throw new IllegalArgumentException(field + ": " + domain + "=" + value + " is out of range, expected 0..1");
        }
        return value;
    }

    private static float number(String s, String field, String context) {
        try {
            float f = Float.parseFloat(s.trim());
            if (!Float.isFinite(f)) {
                throw new NumberFormatException();
            }
            return f;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    field + ": '" + s.trim() + "' in '" + context + "' is not a finite number");
        }
    }

    @Override
    public String toString() {
        return names + (exclusiveGroups.isEmpty() ? "" : " exclusive " + exclusiveGroups);
    }
}
