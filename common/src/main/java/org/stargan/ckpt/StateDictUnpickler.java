package org.stargan.ckpt;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A pickle reader for exactly the subset {@code torch.save(state_dict)} uses: dicts, lists, tuples, numbers,
 * strings, {@code collections.OrderedDict}, tensor rebuild calls and storage references. Any other global (the way a
 * pickle runs code) is refused, so loading a checkpoint cannot execute anything.
 */
final class StateDictUnpickler {
    /** A whitelisted global such as {@code torch.FloatStorage}. */
    record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    /** A reference to a tensor: its storage, and how it views it. */
    record TensorRef(Storage storage, long offset, long[] size, long[] stride) {}

    /**
     * Raw storage bytes of one element type ({@code torch.FloatStorage}, ...). Legacy files deliver the bytes after
     * the object that references them, so they are filled in later; a legacy view shares its root's bytes from an
     * element offset.
     */
    static final class Storage {
        final String type;
        final Storage root;
        final long elementOffset;
        byte[] bytes;

        Storage(String type, byte[] bytes) {
            this(type, bytes, null, 0);
        }

        Storage(String type, byte[] bytes, Storage root, long elementOffset) {
            this.type = type;
            this.bytes = bytes;
            this.root = root;
            this.elementOffset = elementOffset;
        }
    }

    private static final Set<String> ALLOWED_GLOBALS = Set.of(
            "collections.OrderedDict",
            "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_tensor",
            "torch._utils._rebuild_parameter",
            "torch.FloatStorage",
            "torch.DoubleStorage",
            "torch.HalfStorage",
            "torch.BFloat16Storage",
            "torch.LongStorage",
            "torch.IntStorage",
            "torch.ShortStorage",
            "torch.CharStorage",
            "torch.ByteStorage",
            "torch.BoolStorage");

    private static final Object MARK = new Object();

    private final PickleInput input;
    private final Function<Object, Object> persistentLoad;

    StateDictUnpickler(InputStream in, String source, Function<Object, Object> persistentLoad, long sizeLimit) {
        this.input = new PickleInput(in, source, sizeLimit);
        this.persistentLoad = persistentLoad;
    }

    /** Reads one pickle up to its STOP opcode and returns the object. */
    Object load() throws IOException {
        List<Object> stack = new ArrayList<>();
        Map<Long, Object> memo = new HashMap<>();
        while (true) {
            int op = input.u8();
            switch (op) {
                case 0x80 -> input.u8(); // PROTO
                case 0x95 -> input.bytes(8); // FRAME: length only, frames are read as a stream
                case '.' -> {
                    if (stack.size() != 1) {
                        throw input.bad("STOP with " + stack.size() + " objects on the stack");
                    }
                    return stack.get(0);
                }
                case '(' -> stack.add(MARK);
                case '}' -> stack.add(new LinkedHashMap<Object, Object>());
                case ']' -> stack.add(new ArrayList<Object>());
                case ')' -> stack.add(List.of());
                case 't' -> stack.add(java.util.Collections.unmodifiableList(popToMark(stack)));
                case 'l' -> stack.add(new ArrayList<>(popToMark(stack)));
                case 'd' -> {
                    List<Object> items = popToMark(stack);
                    Map<Object, Object> d = new LinkedHashMap<>();
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        d.put(items.get(i), items.get(i + 1));
                    }
                    stack.add(d);
                }
                case 0x85 -> stack.add(tupleOf(pop(stack)));
                case 0x86 -> {
                    Object b = pop(stack);
                    Object a = pop(stack);
                    stack.add(tupleOf(a, b));
                }
                case 0x87 -> {
                    Object c = pop(stack);
                    Object b = pop(stack);
                    Object a = pop(stack);
                    stack.add(tupleOf(a, b, c));
                }
                case 'a' -> {
                    Object v = pop(stack);
                    asList(peek(stack)).add(v);
                }
                case 'e' -> {
                    List<Object> items = popToMark(stack);
                    asList(peek(stack)).addAll(items);
                }
                case 's' -> {
                    Object v = pop(stack);
                    Object k = pop(stack);
                    asMap(peek(stack)).put(k, v);
                }
                case 'u' -> {
                    List<Object> items = popToMark(stack);
                    Map<Object, Object> d = asMap(peek(stack));
                    if (items.size() % 2 != 0) {
                        throw input.bad("SETITEMS with an odd number of items");
                    }
                    for (int i = 0; i < items.size(); i += 2) {
                        d.put(items.get(i), items.get(i + 1));
                    }
                }
                case 'J' -> stack.add((long) Integer.reverseBytes(input.i32()));
                case 'K' -> stack.add((long) input.u8());
                case 'M' -> stack.add((long) (input.u8() | (input.u8() << 8)));
                case 0x8a -> stack.add(input.longN(input.u8()));
                case 0x8b -> stack.add(input.longN(Integer.reverseBytes(input.i32())));
                case 'I' -> {
                    String line = input.line();
                    stack.add(
                            switch (line) {
                                case "01" -> Boolean.TRUE;
                                case "00" -> Boolean.FALSE;
                                default -> input.parseLong(line);
                            });
                }
                case 'L' -> stack.add(input.parseLong(input.line().replace("L", "")));
                case 'G' -> stack.add(Double.longBitsToDouble(new BigInteger(1, input.bytes(8)).longValue()));
                case 'N' -> stack.add(null);
                case 0x88 -> stack.add(Boolean.TRUE);
                case 0x89 -> stack.add(Boolean.FALSE);
                case 'X' -> stack.add(new String(input.bytes(input.len32()), StandardCharsets.UTF_8));
                case 0x8c -> stack.add(new String(input.bytes(input.u8()), StandardCharsets.UTF_8));
                case 0x8d -> stack.add(new String(input.bytes(input.len64()), StandardCharsets.UTF_8));
                case 'T' -> stack.add(new String(input.bytes(input.len32()), StandardCharsets.ISO_8859_1));
                case 'U' -> stack.add(new String(input.bytes(input.u8()), StandardCharsets.ISO_8859_1));
                case 'B' -> stack.add(input.bytes(input.len32()));
                case 'C' -> stack.add(input.bytes(input.u8()));
                case 'c' -> stack.add(global(input.line(), input.line()));
                case 0x93 -> {
                    Object name = pop(stack);
                    Object module = pop(stack);
                    stack.add(global(String.valueOf(module), String.valueOf(name)));
                }
                case 'R' -> {
                    Object args = pop(stack);
                    Object fn = pop(stack);
                    stack.add(reduce(fn, args));
                }
                case 'b' -> {
                    pop(stack); // BUILD state: only the state dict's _metadata (layer versions) arrives here; not
                    // needed
                    peek(stack);
                }
                case 'Q' -> stack.add(persistentLoad.apply(pop(stack)));
                case 'P' -> stack.add(persistentLoad.apply(input.line()));
                case 'q' -> memo.put((long) input.u8(), peek(stack));
                case 'r' -> memo.put(Integer.toUnsignedLong(Integer.reverseBytes(input.i32())), peek(stack));
                case 0x94 -> memo.put((long) memo.size(), peek(stack));
                case 'p' -> memo.put(input.parseLong(input.line()), peek(stack));
                case 'h' -> stack.add(memoGet(memo, input.u8()));
                case 'j' -> stack.add(memoGet(memo, Integer.toUnsignedLong(Integer.reverseBytes(input.i32()))));
                case 'g' -> stack.add(memoGet(memo, input.parseLong(input.line())));
                case '0' -> pop(stack);
                case '1' -> popToMark(stack);
                case '2' -> stack.add(peek(stack));
                default ->
                    throw input.bad(String.format(
                            "pickle opcode 0x%02x is outside the state-dict subset this reader accepts", op));
            }
        }
    }

    private Object global(String module, String name) {
        Global g = new Global(module, name);
        if (!ALLOWED_GLOBALS.contains(g.qualified())) {
            throw input.bad(
                    "refusing pickle global '" + g.qualified() + "': a checkpoint may only hold state-dict types"
                            + " (OrderedDict, tensors, storages); loading it could run code");
        }
        return g;
    }

    private Object reduce(Object fn, Object args) {
        if (!(fn instanceof Global g) || !(args instanceof List<?> a)) {
            throw input.bad("REDUCE of a non-callable " + describe(fn));
        }
        switch (g.qualified()) {
            case "collections.OrderedDict" -> {
                return new LinkedHashMap<Object, Object>();
            }
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                if (a.size() < 4 || !(a.get(0) instanceof Storage s)) {
                    throw input.bad(g.qualified() + " with arguments " + describe(a));
                }
                return new TensorRef(s, asLong(a.get(1)), longs(a.get(2)), longs(a.get(3)));
            }
            case "torch._utils._rebuild_parameter" -> {
                return a.get(0);
            }
            default -> throw input.bad("refusing to call '" + g.qualified() + "'");
        }
    }

    private long[] longs(Object o) {
        if (!(o instanceof List<?> l)) {
            throw input.bad("expected a tuple of sizes, found " + describe(o));
        }
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = asLong(l.get(i));
        }
        return out;
    }

    private long asLong(Object o) {
        if (o instanceof Long l) {
            return l;
        }
        throw input.bad("expected an integer, found " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private List<Object> asList(Object o) {
        if (o instanceof ArrayList<?>) {
            return (List<Object>) o;
        }
        throw input.bad("APPEND to " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asMap(Object o) {
        if (o instanceof Map<?, ?>) {
            return (Map<Object, Object>) o;
        }
        throw input.bad("SETITEM on " + describe(o));
    }

    private static List<Object> tupleOf(Object... items) {
        return Arrays.asList(items);
    }

    private Object memoGet(Map<Long, Object> memo, long key) {
        if (!memo.containsKey(key)) {
            throw input.bad("memo key " + key + " was never stored");
        }
        return memo.get(key);
    }

    private Object pop(List<Object> stack) {
        if (stack.isEmpty()) {
            throw input.bad("stack underflow");
        }
        Object o = stack.remove(stack.size() - 1);
        if (o == MARK) {
            throw input.bad("unexpected MARK");
        }
        return o;
    }

    private Object peek(List<Object> stack) {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw input.bad("stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popToMark(List<Object> stack) {
        for (int i = stack.size() - 1; i >= 0; i--) {
            if (stack.get(i) == MARK) {
                List<Object> items = new ArrayList<>(stack.subList(i + 1, stack.size()));
                stack.subList(i, stack.size()).clear();
                return items;
            }
        }
        throw input.bad("no MARK on the stack");
    }

    private static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        String s = String.valueOf(o);
        return o.getClass().getSimpleName() + " " + (s.length() > 80 ? s.substring(0, 80) + "…" : s);
    }
}
