package snapshots

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/maphash"
)

// makeDelta returns a git delta (the format of pack entries, see git's
// patch-delta.c) that rebuilds tgt from src.
//
// go-git's DiffDelta indexes every 16-byte block of the source and looks
// for a match at every byte of the target; on two 3.8 MB versions of the
// ports registry it took 4–6 times as long as compressing the file, which
// would have made packing most of an import's time. Registry files change by
// lines between versions, so this one indexes the source at line starts
// only, resynchronises at the target's line starts, and after each match
// first tries the source just past it: most of a version is one long run of
// the previous one, found in a few comparisons per run.
func makeDelta(src, tgt []byte) []byte {
	const block = 32 // bytes hashed at a line start
	seed := maphash.MakeSeed()
	index := make(map[uint64]int, len(src)/32)
	for i := 0; i+block <= len(src); {
		k := maphash.Bytes(seed, src[i:i+block])
		if _, ok := index[k]; !ok {
			index[k] = i
		}
		nl := bytes.IndexByte(src[i:], '\n')
		if nl < 0 {
			break
		}
		i += nl + 1
	}
	out := make([]byte, 0, 64+len(tgt)/64)
	out = binary.AppendUvarint(out, uint64(len(src)))
	out = binary.AppendUvarint(out, uint64(len(tgt)))
	ins := 0   // start of the target bytes not yet emitted
	next := -1 // where in src a match would continue the last copy
	for i := 0; i < len(tgt); {
		at, n := -1, 0
		if next >= 0 && next < len(src) {
			at, n = next, commonPrefix(src[next:], tgt[i:])
		}
		if n < 16 && (i == 0 || tgt[i-1] == '\n') && i+block <= len(tgt) {
			if o, ok := index[maphash.Bytes(seed, tgt[i:i+block])]; ok {
				if m := commonPrefix(src[o:], tgt[i:]); m > n {
					at, n = o, m
				}
			}
		}
		if n < 16 { // a copy op costs up to 8 bytes: not worth it
			next = -1
			nl := bytes.IndexByte(tgt[i+1:], '\n')
			if nl < 0 {
				break
			}
			i += nl + 2
			continue
		}
		out = appendInsert(out, tgt[ins:i])
		out = appendCopy(out, at, n)
		i += n
		ins, next = i, at+n
	}
	return appendInsert(out, tgt[ins:])
}

func commonPrefix(a, b []byte) int {
	n := 0
	for len(a) >= 8 && len(b) >= 8 && binary.LittleEndian.Uint64(a) == binary.LittleEndian.Uint64(b) {
		a, b, n = a[8:], b[8:], n+8
	}
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b, n = a[1:], b[1:], n+1
	}
	return n
}

// appendInsert adds insert ops (at most 127 literal bytes each).
func appendInsert(out, lit []byte) []byte {
	for len(lit) > 0 {
		n := min(len(lit), 127)
		out = append(out, byte(n))
		out = append(out, lit[:n]...)
		lit = lit[n:]
	}
	return out
}

// appendCopy adds copy ops: an offset of up to 4 bytes and a size of up to
// 3, each byte present only when non-zero.
func appendCopy(out []byte, off, n int) []byte {
	for n > 0 {
		size := min(n, 0xffffff)
		op := len(out)
		out = append(out, 0x80)
		for b := range 4 {
			if v := byte(off >> (8 * b)); v != 0 {
				out[op] |= 1 << b
				out = append(out, v)
			}
		}
		for b := range 3 {
			if v := byte(size >> (8 * b)); v != 0 {
				out[op] |= 0x10 << b
				out = append(out, v)
			}
		}
		off += size
		n -= size
	}
	return out
}

// applyDelta rebuilds a target from src and a git delta, into one
// allocation of the target's size (go-git's PatchDelta grows a buffer as it
// goes, a third of the time of reading a packed file).
func applyDelta(src, delta []byte) ([]byte, error) {
	srcSize, n := binary.Uvarint(delta)
	if n <= 0 || srcSize != uint64(len(src)) {
		return nil, errBadDelta
	}
	delta = delta[n:]
	tgtSize, n := binary.Uvarint(delta)
	if n <= 0 || tgtSize > 1<<32 {
		return nil, errBadDelta
	}
	delta = delta[n:]
	// Each op byte yields at most one copy of the whole base or 127
	// inserted bytes, so a header claiming more is a lie; and the
	// claimed size is not trusted for the allocation either: a
	// forged 4 GB header cost a second per call (FuzzApplyDelta).
	if tgtSize > uint64(len(delta))*uint64(max(len(src), 0x7f)) {
		return nil, errBadDelta
	}
	out := make([]byte, 0, min(tgtSize, uint64(len(src)+len(delta))))
	for len(delta) > 0 {
		op := delta[0]
		delta = delta[1:]
		switch {
		case op&0x80 != 0:
			var off, size uint64
			for b := range 7 {
				if op&(1<<b) == 0 {
					continue
				}
				if len(delta) == 0 {
					return nil, errBadDelta
				}
				if b < 4 {
					off |= uint64(delta[0]) << (8 * b)
				} else {
					size |= uint64(delta[0]) << (8 * (b - 4))
				}
				delta = delta[1:]
			}
			if size == 0 {
				size = 0x10000
			}
			if off+size > uint64(len(src)) || uint64(len(out))+size > tgtSize {
				return nil, errBadDelta
			}
			out = append(out, src[off:off+size]...)
		case op != 0:
			if int(op) > len(delta) || uint64(len(out))+uint64(op) > tgtSize {
				return nil, errBadDelta
			}
			out = append(out, delta[:op]...)
			delta = delta[op:]
		default:
			return nil, errBadDelta
		}
	}
	if uint64(len(out)) != tgtSize {
		return nil, errBadDelta
	}
	return out, nil
}

var errBadDelta = errors.New("bad delta")
