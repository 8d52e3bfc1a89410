/** Array exchange formats shared with the Python reference and with users' tools ({@code .npy}, {@code .npz}). */
package org.stargan.io;
