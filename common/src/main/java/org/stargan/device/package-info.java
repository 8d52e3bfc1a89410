/** Which device (CPU, a CUDA GPU) the networks run on, chosen by a setting and checked against what libtorch offers. */
package org.stargan.device;
