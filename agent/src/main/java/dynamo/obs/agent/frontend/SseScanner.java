package dynamo.obs.agent.frontend;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Splits a {@code text/event-stream} body into events as its bytes pass and feeds each event's
 * {@code data} into a {@link JsonFieldScanner}; nothing of the stream is buffered beyond the first
 * few bytes of a line (its field name).
 */
public final class SseScanner {

  /** Told when an event (a block of lines ended by an empty line) is complete. */
  public interface EventListener {
    void onEventEnd(boolean hadData);
  }

  /** "data" as {@link #field} holds it: its four bytes, the first highest. */
  private static final int DATA = 'd' << 24 | 'a' << 16 | 't' << 8 | 'a';

  private final JsonFieldScanner json;
  private final EventListener listener;
  /** The field name's first four bytes, the first highest (only "data" is looked for); nothing kept of more. */
  private int field;
  private int fieldLen;
  private boolean inField = true; // reading the field name at the start of a line
  private boolean dataLine; // the current line is "data:" and its value is streaming
  private boolean skipSpace; // the single optional space after "data:"
  private boolean lineEmpty = true;
  private boolean eventHasData;
  private boolean lastWasCr;
  /** How much of a leading byte-order mark was passed over; 3 once the stream's first bytes are behind. */
  private int bom;

  public SseScanner(JsonFieldScanner json, EventListener listener) {
    this.json = json;
    this.listener = listener;
    json.rememberPrefixes(); // the events of a stream begin alike
  }

  public void feed(byte[] b, int off, int len) {
    int end = off + len;
    int dataStart = -1;
    int i = bom < BOM.length ? passBom(b, off, end) : off;
    for (; i < end; i++) {
      if (!inField && !skipSpace) {
        // the rest of a line's value (data, or a field passed over) up to its end, found in one search
        int j = lineEnd(b, i, end);
        if (dataLine && dataStart < 0 && j > i) {
          dataStart = i;
        }
        if (j == end) {
          break;
        }
        i = j;
      }
      byte c = b[i];
      if (c == '\n' || c == '\r') {
        if (dataStart >= 0 && i > dataStart) {
          json.feed(b, dataStart, i - dataStart);
        }
        dataStart = -1;
        if (c == '\n' && lastWasCr) {
          lastWasCr = false;
          continue; // CRLF: the CR ended the line already
        }
        lastWasCr = c == '\r';
        endLine();
        continue;
      }
      lastWasCr = false;
      lineEmpty = false;
      if (inField) {
        if (c == ':') {
          inField = false;
          dataLine = isData();
          if (dataLine) {
            dataField();
            skipSpace = true;
          }
        } else if (fieldLen < 4) {
          field = field << 8 | c & 0xff;
          fieldLen++;
        } else {
          fieldLen = 5; // too long to be "data"
        }
        continue;
      }
      if (dataLine) {
        if (skipSpace) {
          skipSpace = false;
          if (c == ' ') {
            continue;
          }
        }
        if (dataStart < 0) {
          dataStart = i;
        }
      }
    }
    if (dataStart >= 0 && end > dataStart) {
      json.feed(b, dataStart, end - dataStart);
    }
  }

  /**
   * The index of the first CR or LF from {@code i}, or {@code end}: eight bytes at a time (the zero-byte test of
   * {@link JsonFieldScanner#firstStop} on the word xor each, whose lowest flag is exact), the last few byte by byte.
   */
  static int lineEnd(byte[] b, int i, int end) {
    int j = i;
    while (j <= end - 8) {
      long w = (long) LONGS.get(b, j);
      long lf = w ^ (ONES * '\n');
      long cr = w ^ (ONES * '\r');
      long flags = ((lf - ONES) & ~lf | (cr - ONES) & ~cr) & HIGHS;
      if (flags != 0) {
        return j + (Long.numberOfTrailingZeros(flags) >>> 3);
      }
      j += 8;
    }
    while (j < end && b[j] != '\n' && b[j] != '\r') {
      j++;
    }
    return j;
  }

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  private static final byte[] NEWLINE = {'\n'};
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  /** A byte-order mark at the stream's start is not part of it (the HTML standard decodes it away). */
  private int passBom(byte[] b, int i, int end) {
    while (i < end && bom < BOM.length) {
      if (b[i] != BOM[bom]) {
        bom = BOM.length;
        return i;
      }
      bom++;
      i++;
    }
    return i;
  }

  private boolean isData() {
    return fieldLen == 4 && field == DATA;
  }

  /** A data field begins: the data lines of one event join with a newline. */
  private void dataField() {
    if (eventHasData) {
      json.feed(NEWLINE, 0, 1);
    }
    eventHasData = true;
  }

  private void endLine() {
    if (inField && !lineEmpty && isData()) {
      dataField(); // a line that is just "data" is a data field with an empty value
    }
    if (lineEmpty) {
      json.finish();
      listener.onEventEnd(eventHasData);
      json.reset();
      eventHasData = false;
    }
    lineEmpty = true;
    inField = true;
    fieldLen = 0;
    field = 0;
    dataLine = false;
    skipSpace = false;
  }
}
