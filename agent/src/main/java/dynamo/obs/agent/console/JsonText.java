package dynamo.obs.agent.console;

/** JSON string escaping shared by every JSON the agent writes. */
public final class JsonText {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private JsonText() {
  }

  /** Appends {@code value} as a quoted JSON string; control characters are escaped. */
  public static StringBuilder appendString(StringBuilder sb, String value) {
    sb.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' :
          sb.append("\\\"");
          break;
        case '\\' :
          sb.append("\\\\");
          break;
        case '\n' :
          sb.append("\\n");
          break;
        case '\r' :
          sb.append("\\r");
          break;
        case '\t' :
          sb.append("\\t");
          break;
        default :
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            sb.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
                .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
          } else {
            sb.append(c);
          }
      }
    }
    return sb.append('"');
  }
}
