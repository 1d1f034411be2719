package dynamo.obs.agent.premain;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The agent's class files ({@code inst/…/X.classdata}) read straight from the jar: an index of
 * their places built once from the jar's central directory, and a read that inflates into a buffer
 * used again for the next class. Reading through {@code JarFile} instead allocates each class's
 * size three times over (the inflater stream's buffer, the read's chunks, the copy it returns):
 * some 16 MB for the classes the agent loads, which the application's heap then holds in pages
 * it would not otherwise touch.
 *
 * <p>Lookups allocate nothing: names are hashed char by char as {@code inst/} + the binary name
 * with {@code /} for {@code .} + {@code .classdata}, and the hit is checked against the name in
 * the entry's local header. Anything this reader does not handle (a jar it cannot parse, a ZIP64
 * entry) makes it answer "not here", and the class loader reads through {@code JarFile}.
 */
final class ClassDataIndex implements AutoCloseable {
  private static final String PREFIX = "inst/";
  private static final String SUFFIX = ".classdata";
  private static final int END_SIG = 0x06054b50;
  private static final int CEN_SIG = 0x02014b50;
  private static final int LOC_SIG = 0x04034b50;
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  /** What a read class is handed to; {@code bytes} is valid only during the call. */
  interface Definer {
    Class<?> define(String name, byte[] bytes, int length);
  }

  private final FileChannel channel;
  private final long[] hashes;
  private final int[] offsets;
  private final int[] compressed;
  private final int[] sizes;
  private final boolean[] stored;
  private final int mask;
  /** Buffers for the compressed and the inflated bytes, a few of each: defining a class loads its super types, whose reads then find free buffers too. */
  private final AtomicReferenceArray<byte[]> inBuffers = new AtomicReferenceArray<>(POOLED);
  private final AtomicReferenceArray<byte[]> outBuffers = new AtomicReferenceArray<>(POOLED);
  private static final int POOLED = 8;
  private final AtomicReferenceArray<Inflater> inflaters = new AtomicReferenceArray<>(POOLED);

  private ClassDataIndex(FileChannel channel, int capacity) {
    this.channel = channel;
    this.hashes = new long[capacity];
    this.offsets = new int[capacity];
    this.compressed = new int[capacity];
    this.sizes = new int[capacity];
    this.stored = new boolean[capacity];
    this.mask = capacity - 1;
    Arrays.fill(offsets, -1);
  }

  /** The index of {@code jar}, or null when it cannot be read this way (then JarFile serves). */
  static ClassDataIndex open(File jar) {
    FileChannel ch = null;
    try {
      ch = FileChannel.open(jar.toPath(), StandardOpenOption.READ);
      ClassDataIndex index = build(ch);
      if (index != null) {
        return index;
      }
    } catch (IOException | RuntimeException e) {
      // not a jar this reader understands
    }
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
    return null;
  }

  /**
   * The index from the jar's central directory. Its ~6,000 entries are parsed from a plain array, each field read
   * with a few bytecodes: this runs once, at the application's start, on its main thread, interpreted (through a
   * {@code ByteBuffer} each read was a chain of calls, and the loop ran long enough to be compiled).
   */
  private static ClassDataIndex build(FileChannel ch) throws IOException {
    long size = ch.size();
    int tail = (int) Math.min(size, 22 + 0xFFFF);
    byte[] end = new byte[tail];
    readFully(ch, ByteBuffer.wrap(end), size - tail);
    int at = -1;
    for (int i = tail - 22; i >= 0; i--) {
      if (u4(end, i) == END_SIG) {
        at = i;
        break;
      }
    }
    if (at < 0) {
      return null;
    }
    int entries = u2(end, at + 10);
    long cenSize = u4(end, at + 12) & 0xFFFFFFFFL;
    long cenOffset = u4(end, at + 16) & 0xFFFFFFFFL;
    if (entries == 0xFFFF || cenOffset == 0xFFFFFFFFL || cenSize > Integer.MAX_VALUE - 8) {
      return null; // ZIP64
    }
    byte[] cen = new byte[(int) cenSize];
    readFully(ch, ByteBuffer.wrap(cen), cenOffset);
    int capacity = Integer.highestOneBit(Math.max(16, entries * 2)) * 2;
    ClassDataIndex index = new ClassDataIndex(ch, capacity);
    int p = 0;
    for (int n = 0; n < entries; n++) {
      if (p + 46 > cenSize || u4(cen, p) != CEN_SIG) {
        return null;
      }
      int method = u2(cen, p + 10);
      long csize = u4(cen, p + 20) & 0xFFFFFFFFL;
      long usize = u4(cen, p + 24) & 0xFFFFFFFFL;
      int nameLen = u2(cen, p + 28);
      int extraLen = u2(cen, p + 30);
      int commentLen = u2(cen, p + 32);
      long local = u4(cen, p + 42) & 0xFFFFFFFFL;
      int name = p + 46;
      if (name + nameLen > cenSize) {
        return null;
      }
      if (isClassData(cen, name, nameLen) && (method == 0 || method == 8)
          && csize < Integer.MAX_VALUE && usize < Integer.MAX_VALUE && local < Integer.MAX_VALUE) {
        long h = FNV_OFFSET;
        for (int i = name, e = name + nameLen; i < e; i++) {
          h = (h ^ (cen[i] & 0xFF)) * FNV_PRIME;
        }
        index.put(h, (int) local, (int) csize, (int) usize, method == 0);
      }
      p = name + nameLen + extraLen + commentLen;
    }
    return index;
  }

  private static int u2(byte[] b, int at) {
    return b[at] & 0xFF | (b[at + 1] & 0xFF) << 8;
  }

  private static int u4(byte[] b, int at) {
    return b[at] & 0xFF | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
  }

  private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SUFFIX_BYTES = SUFFIX.getBytes(StandardCharsets.US_ASCII);

  private static boolean isClassData(byte[] cen, int name, int len) {
    if (len <= PREFIX_BYTES.length + SUFFIX_BYTES.length) {
      return false;
    }
    for (int i = 0; i < PREFIX_BYTES.length; i++) {
      if (cen[name + i] != PREFIX_BYTES[i]) {
        return false;
      }
    }
    int suffix = name + len - SUFFIX_BYTES.length;
    for (int i = 0; i < SUFFIX_BYTES.length; i++) {
      if (cen[suffix + i] != SUFFIX_BYTES[i]) {
        return false;
      }
    }
    return true;
  }

  private void put(long hash, int local, int csize, int usize, boolean isStored) {
    int slot = (int) hash & mask;
    while (offsets[slot] >= 0) {
      slot = (slot + 1) & mask;
    }
    hashes[slot] = hash;
    offsets[slot] = local;
    compressed[slot] = csize;
    sizes[slot] = usize;
    stored[slot] = isStored;
  }

  private static long hash(String binaryName) {
    long h = FNV_OFFSET;
    for (int i = 0; i < PREFIX.length(); i++) {
      h = (h ^ PREFIX.charAt(i)) * FNV_PRIME;
    }
    for (int i = 0; i < binaryName.length(); i++) {
      char c = binaryName.charAt(i);
      if (c >= 0x80) {
        return 0; // class names here are ASCII; anything else goes the JarFile way
      }
      h = (h ^ (c == '.' ? '/' : c)) * FNV_PRIME;
    }
    for (int i = 0; i < SUFFIX.length(); i++) {
      h = (h ^ SUFFIX.charAt(i)) * FNV_PRIME;
    }
    return h;
  }

  /**
   * Reads the class {@code binaryName} and hands its bytes to {@code definer}. Returns what the
   * definer returned, or null when the class is not in the index (or cannot be read this way).
   */
  Class<?> define(String binaryName, Definer definer) throws IOException {
    long h = hash(binaryName);
    if (h == 0) {
      return null;
    }
    int slot = (int) h & mask;
    while (offsets[slot] >= 0 && hashes[slot] != h) {
      slot = (slot + 1) & mask;
    }
    if (offsets[slot] < 0) {
      return null;
    }
    int nameLen = PREFIX.length() + binaryName.length() + SUFFIX.length();
    int csize = compressed[slot];
    int usize = sizes[slot];
    byte[] in = take(inBuffers, 30 + nameLen + csize);
    byte[] out = null;
    Inflater inf = null;
    try {
      ByteBuffer header = ByteBuffer.wrap(in, 0, 30 + nameLen).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, header, offsets[slot]);
      if (header.getInt(0) != LOC_SIG || (header.getShort(26) & 0xFFFF) != nameLen || !sameName(in, 30, binaryName)) {
        return null;
      }
      int extraLen = header.getShort(28) & 0xFFFF;
      readFully(channel, ByteBuffer.wrap(in, 0, csize), (long) offsets[slot] + 30 + nameLen + extraLen);
      if (stored[slot]) {
        return definer.define(binaryName, in, usize);
      }
      out = take(outBuffers, usize);
      for (int i = 0; i < POOLED && inf == null; i++) {
        inf = inflaters.getAndSet(i, null);
      }
      if (inf == null) {
        inf = new Inflater(true);
      }
      inf.setInput(in, 0, csize);
      int n = 0;
      while (n < usize) {
        int k = inf.inflate(out, n, usize - n);
        if (k == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) {
          break;
        }
        n += k;
      }
      if (n != usize) {
        return null;
      }
      return definer.define(binaryName, out, usize);
    } catch (DataFormatException e) {
      return null;
    } finally {
      if (inf != null) {
        inf.reset();
        boolean pooled = false;
        for (int i = 0; i < POOLED && !pooled; i++) {
          pooled = inflaters.compareAndSet(i, null, inf);
        }
        if (!pooled) {
          inf.end();
        }
      }
      give(inBuffers, in);
      if (out != null) {
        give(outBuffers, out);
      }
    }
  }

  private static boolean sameName(byte[] b, int at, String binaryName) {
    for (int i = 0; i < PREFIX.length(); i++) {
      if (b[at++] != PREFIX.charAt(i)) {
        return false;
      }
    }
    for (int i = 0; i < binaryName.length(); i++) {
      char c = binaryName.charAt(i);
      if (b[at++] != (c == '.' ? '/' : c)) {
        return false;
      }
    }
    for (int i = 0; i < SUFFIX.length(); i++) {
      if (b[at++] != SUFFIX.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A free pooled buffer of at least {@code size} bytes, else a new one (a power of two, so that
   * it serves later classes too).
   */
  private static byte[] take(AtomicReferenceArray<byte[]> pool, int size) {
    for (int i = 0; i < pool.length(); i++) {
      byte[] b = pool.get(i);
      if (b != null && b.length >= size && pool.compareAndSet(i, b, null)) {
        return b;
      }
    }
    return new byte[Math.max(4096, Integer.highestOneBit(Math.max(1, size - 1)) << 1)];
  }

  /** Back to the pool: into a free slot, else in place of a smaller buffer, else dropped. */
  private static void give(AtomicReferenceArray<byte[]> pool, byte[] b) {
    for (int i = 0; i < pool.length(); i++) {
      if (pool.get(i) == null && pool.compareAndSet(i, null, b)) {
        return;
      }
    }
    for (int i = 0; i < pool.length(); i++) {
      byte[] old = pool.get(i);
      if (old != null && old.length < b.length && pool.compareAndSet(i, old, b)) {
        return;
      }
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
    long p = position;
    while (dst.hasRemaining()) {
      int n = ch.read(dst, p);
      if (n < 0) {
        throw new IOException("unexpected end of the jar");
      }
      p += n;
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
