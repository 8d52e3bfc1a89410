package org.stargan.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.stargan.nn.NamedParameters;

/**
 * {@code torch.optim.Adam} (no weight decay, no amsgrad), state kept per parameter, updating in place.
 *
 * <p>PyTorch's step: m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p − (lr/bc₁)·m / (√v/√bc₂ + ε), with
 * bc = 1 − βᵗ. The update runs through DJL's fused native Adam kernel, which computes
 * p ← p − lr'·m / (√v + ε'); choosing lr' = lr·√bc₂/bc₁ and ε' = ε·√bc₂ makes it the same formula (ε added after
 * the square root, scaled exactly as PyTorch scales it). The kernel also zeroes the parameter's gradient.
 */
public final class Adam implements AutoCloseable {
    private final NDManager manager;
    private final List<NDArray> params = new ArrayList<>();
    private final List<NDArray> firstMoments = new ArrayList<>();
    private final List<NDArray> secondMoments = new ArrayList<>();
    private final double beta1;
    private final double beta2;
    private final double eps;
    private long step;

    /** Creates zeroed state for every tensor in {@code parameters}. */
    public Adam(NamedParameters parameters, NDManager parent, double beta1, double beta2, double eps) {
        this.manager = parent.newSubManager();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        for (Map.Entry<String, NDArray> e : parameters.asMap().entrySet()) {
            NDArray p = e.getValue();
            params.add(p);
            firstMoments.add(manager.zeros(p.getShape(), p.getDataType(), p.getDevice()));
            secondMoments.add(manager.zeros(p.getShape(), p.getDataType(), p.getDevice()));
        }
    }

    /** Number of updates applied so far (PyTorch's {@code state['step']}). */
    public long stepCount() {
        return step;
    }

    /** The first moment tensors, in parameter order (for checkpoints). */
    public List<NDArray> firstMoments() {
        return firstMoments;
    }

    /** Second moment tensors, in parameter order. */
    public List<NDArray> secondMoments() {
        return secondMoments;
    }

    /**
     * Replaces the state with saved moments (in parameter order) and step count, checking sizes first.
     */
    public void restore(List<float[]> first, List<float[]> second, long stepCount) {
        if (first.size() != params.size() || second.size() != params.size()) {
            throw new IllegalArgumentException(
                    "Adam state for " + first.size() + "/" + second.size() + " tensors, expected " + params.size());
        }
        for (int i = 0; i < params.size(); i++) {
            long n = params.get(i).getShape().size();
            if (first.get(i).length != n || second.get(i).length != n) {
                throw new IllegalArgumentException("Adam state of tensor " + i + ": " + first.get(i).length + "/"
                        + second.get(i).length + " values, expected " + n);
            }
        }
        for (int i = 0; i < params.size(); i++) {
            NamedParameters.replaceValues(firstMoments.get(i), first.get(i));
            NamedParameters.replaceValues(secondMoments.get(i), second.get(i));
        }
        this.step = stepCount;
    }

    /** Applies one update with learning rate {@code lr} from the gradients now on the parameters. */
    public void step(double lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, step));
        float lrCorrected = (float) (lr * sqrtBc2 / bc1);
        float epsCorrected = (float) (eps * sqrtBc2);
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i);
            try (NDArray grad = p.getGradient()) {
                p.getNDArrayInternal()
                        .adamUpdate(
                                new NDList(p, grad, firstMoments.get(i), secondMoments.get(i)),
                                new NDList(p),
                                (float) lr,
                                lrCorrected,
                                0f,
                                1f,
                                -1f,
                                (float) beta1,
                                (float) beta2,
                                epsCorrected,
                                false,
                                false);
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
