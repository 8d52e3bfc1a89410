/**
 * StarGAN's networks on DJL's PyTorch engine: {@link org.stargan.nn.Generator} and
 * {@link org.stargan.nn.Discriminator} with the official parameter names, and the layer functions DJL lacks
 * (instance normalisation, the 4×4 stride-2 transposed convolution).
 *
 * <p>The networks are plain classes over named tensors rather than DJL {@code Block}s: their parameters must carry
 * the official {@code state_dict} keys, and the gradient penalty reaches into D's layers to differentiate through
 * them by hand.
 */
package org.stargan.nn;
