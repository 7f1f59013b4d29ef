/**
 * The consistent-hash ring: key placement by MD5, partitions and preference lists. Pure values and
 * functions; no I/O, no threads, no clocks.
 */
package io.ringkv.ring;
