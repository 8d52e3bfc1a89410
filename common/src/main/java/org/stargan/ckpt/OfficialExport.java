package org.stargan.ckpt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * State dicts laid out exactly as the official models' {@code state_dict()}, so that the official code's
 * {@code load_state_dict(..., strict=True)} accepts them: the generator's InstanceNorm layers carry
 * {@code track_running_stats=True} buffers, written as their initial values (running_mean 0, running_var 1,
 * num_batches_tracked 0); the official code never reads them (it never calls {@code eval()}).
 */
public final class OfficialExport {
    private OfficialExport() {}

    /** Entries in official order for a generator's or a discriminator's learnable tensors. */
    public static List<TorchCheckpointWriter.Entry> entries(Map<String, HostTensor> weights) {
        List<TorchCheckpointWriter.Entry> out = new ArrayList<>();
        for (Map.Entry<String, HostTensor> e : weights.entrySet()) {
            out.add(TorchCheckpointWriter.Entry.of(e.getKey(), e.getValue()));
            String key = e.getKey();
            if (key.endsWith(".bias") && e.getValue().shape().length == 1) {
                String prefix = key.substring(0, key.length() - ".bias".length());
                HostTensor weight = weights.get(prefix + ".weight");
                boolean norm = weight != null && weight.shape().length == 1;
                if (norm) {
                    long c = e.getValue().shape()[0];
                    float[] ones = new float[(int) c];
                    java.util.Arrays.fill(ones, 1f);
                    out.add(TorchCheckpointWriter.Entry.of(
                            prefix + ".running_mean", new HostTensor(new long[] {c}, new float[(int) c])));
                    out.add(TorchCheckpointWriter.Entry.of(
                            prefix + ".running_var", new HostTensor(new long[] {c}, ones)));
                    out.add(TorchCheckpointWriter.Entry.ofLongs(prefix + ".num_batches_tracked", new long[0], 0L));
                }
            }
        }
        return out;
    }
}
