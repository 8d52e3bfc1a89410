/** Benchmarks of the StarGAN core ({@code ./stargan bench}); medians after warm-up, never asserted in tests. */
package org.stargan.bench;
