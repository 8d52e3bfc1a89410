/**
 * StarGAN training as the official {@code solver.train}: losses, the exact leak-free gradient penalty, PyTorch's
 * Adam, the linear learning-rate decay, and one D/G iteration ({@link org.stargan.train.StarGanTrainer}).
 */
package org.stargan.train;
