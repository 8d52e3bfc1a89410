/** Data the models consume: images to tensors and back ({@link org.stargan.data.ImageCodec}), domain labels. */
package org.stargan.data;
