package org.stargan.gateway;

import org.stargan.msg.DomainLabels;

/**
 * Checks a translation's targets against the model it will run on before anything is queued: names must be the
 * model's domains and values within 0..1 (fractions blend a domain in). Models whose checkpoints carry no domain
 * names (official files) are checked by the worker, which knows their size.
 */
final class TargetCheck {
    private TargetCheck() {}

    /** Throws an {@link IllegalArgumentException} naming the field when {@code target} or {@code labels} (either may be null) is wrong for {@code domains}. */
    static void check(DomainLabels domains, String target, String labels) {
        float[] base = labels == null
                ? new float[domains.size()]
                : inRange(domains, domains.parseVector(labels, "labels"), "labels");
        if (target != null) {
            inRange(domains, domains.applyTargets(target, base, "target"), "target");
        }
    }

    private static float[] inRange(DomainLabels domains, float[] v, String field) {
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] > 1) {
                throw new IllegalArgumentException(
                        field + ": " + domains.names().get(i) + "=" + v[i] + " is out of range, expected 0..1");
            }
        }
        return v;
    }
}
