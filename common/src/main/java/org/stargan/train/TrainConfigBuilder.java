package org.stargan.train;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;
import org.stargan.options.TrainOptions;

/**
 * Builds a {@link TrainConfig}: starts from the official defaults, takes what is set, and validates everything in
 * {@link #build()} (the record's constructor), naming the field at fault.
 */
public final class TrainConfigBuilder {
    final Map<String, Object> values = new LinkedHashMap<>();
    /** Whether num-iters-decay was set; if not, it follows the official default capped at num-iters. */
    boolean decayGiven;

    TrainConfigBuilder() {
        values.put("cDim", TrainOptions.DEFAULT_ATTRS.size());
        values.put("labelMode", LabelMode.MULTI_LABEL);
        values.put("c2Dim", 0);
        for (RecordComponent c : TrainConfig.class.getRecordComponents()) {
            String option = TrainConfig.optionName(c.getName()).substring(2);
            if (!TrainConfig.SET_BY.containsKey(c.getName())) {
                put(c.getName(), TrainOptions.TABLE.option(option).defaultValue());
            }
        }
    }

    /** Sets the field {@code field} (a record component) from an option value of any numeric type. */
    TrainConfigBuilder option(String field, Object value) {
        put(field, value);
        if (field.equals("numItersDecay")) {
            decayGiven = true;
        }
        return this;
    }

    private void put(String field, Object value) {
        Class<?> type = componentType(field);
        Object v = value;
        if (value instanceof Number n) {
            v = type == int.class
                    ? (Object) n.intValue()
                    : type == long.class
                            ? (Object) n.longValue()
                            : type == double.class ? (Object) n.doubleValue() : value;
        }
        values.put(field, v);
    }

    /** Image size and both networks' widths and depths. */
    public TrainConfigBuilder networks(int imageSize, int gConvDim, int dConvDim, int gRepeatNum, int dRepeatNum) {
        return option("imageSize", imageSize)
                .option("gConvDim", gConvDim)
                .option("dConvDim", dConvDim)
                .option("gRepeatNum", gRepeatNum)
                .option("dRepeatNum", dRepeatNum);
    }

    /** Images per iteration. */
    public TrainConfigBuilder batchSize(int batchSize) {
        return option("batchSize", batchSize);
    }

    /** Length, decay and learning-rate steps of the run, and D updates per G update. */
    public TrainConfigBuilder schedule(long numIters, long numItersDecay, int nCritic, long lrUpdateStep) {
        return option("numIters", numIters)
                .option("numItersDecay", numItersDecay)
                .option("nCritic", nCritic)
                .option("lrUpdateStep", lrUpdateStep);
    }

    /** Both learning rates. */
    public TrainConfigBuilder learningRates(double gLr, double dLr) {
        return option("gLr", gLr).option("dLr", dLr);
    }

    /** The label mode and number of domains. */
    public TrainConfigBuilder labels(LabelMode labelMode, int cDim) {
        return option("labelMode", labelMode).option("cDim", cDim);
    }

    /** Domains of a second dataset trained jointly (0: none). */
    public TrainConfigBuilder secondDataset(int c2Dim) {
        return option("c2Dim", c2Dim);
    }

    /** The seed of the initial weights and of every per-iteration draw. */
    public TrainConfigBuilder seed(long seed) {
        return option("seed", seed);
    }

    /** Weight of the (unofficial) identity term; 0 is the official objective. */
    public TrainConfigBuilder identityLoss(double lambdaId) {
        return option("lambdaId", lambdaId);
    }

    /** Decay of the (unofficial) moving average of G's weights; 0 keeps none. */
    public TrainConfigBuilder generatorAverage(double gEmaBeta) {
        return option("gEmaBeta", gEmaBeta);
    }

    /** The configuration; an {@link IllegalArgumentException} names the first field at fault. */
    public TrainConfig build() {
        if (!decayGiven) {
            long iters = ((Number) values.get("numIters")).longValue();
            values.put("numItersDecay", Math.min(((Number) values.get("numItersDecay")).longValue(), iters));
        }
        RecordComponent[] components = TrainConfig.class.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            args[i] = values.get(components[i].getName());
            types[i] = components[i].getType();
        }
        try {
            return TrainConfig.class.getDeclaredConstructor(types).newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("TrainConfig's canonical constructor", e);
        }
    }

    private static Class<?> componentType(String field) {
        for (RecordComponent c : TrainConfig.class.getRecordComponents()) {
            if (c.getName().equals(field)) {
                return c.getType();
            }
        }
        throw new IllegalArgumentException("TrainConfig has no field " + field);
    }
}
