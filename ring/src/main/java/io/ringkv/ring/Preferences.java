package io.ringkv.ring;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * The preference order of every partition: its owner, then the owners clockwise, distinct nodes
 * only. Built in O(Q * S) by walking the ring backwards twice with a move-to-front list: the order at
 * p is p's owner followed by the order at p+1 without it.
 */
final class Preferences {

  private Preferences() {}

  static int[][] build(int[] owners, int nodes) {
    int q = owners.length;
    int[] order = new int[nodes];
    int size = 0;
    int[][] table = new int[q][];
    for (int k = 2 * q - 1; k >= 0; k--) {
      int owner = owners[k % q];
      int at = 0;
      while (at < size && order[at] != owner) {
        at++;
      }
      if (at == size) {
        size++;
      }
      System.arraycopy(order, 0, order, 1, at);
      order[0] = owner;
      if (k < q) {
        int[] row = new int[size];
        System.arraycopy(order, 0, row, 0, size);
        table[k] = row;
      }
    }
    return table;
  }

  /** An unmodifiable view of node indexes (a row of the table, or an owner array) as names. */
  static List<String> view(int[] row, String[] names) {
    return new Row(row, names);
  }

  private static final class Row extends AbstractList<String> implements RandomAccess {
    private final int[] row;
    private final String[] names;

    Row(int[] row, String[] names) {
      this.row = row;
      this.names = names;
    }

    @Override
    public String get(int index) {
      return names[row[index]];
    }

    @Override
    public int size() {
      return row.length;
    }
  }
}
