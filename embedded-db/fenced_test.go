package main

import (
	"testing"

	"go.mongodb.org/mongo-driver/bson"
)

func fence(id any, epoch any) bson.D {
	return d("_id", id, "_fence", d("$not", d("$gt", epoch)))
}

func requestOf(t *testing.T, msg []byte) request {
	t.Helper()
	req, err := parseRequest(msg)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestFencedWriteOfRecognisesTheWritePathsShapes(t *testing.T) {
	cases := map[string]bson.D{
		"updateOne":        d("update", "departments", "updates", bson.A{d("q", fence("d1", int32(3)), "u", d("$set", d("name", "x")), "upsert", false)}, "ordered", true, "$db", "app"),
		"deleteOne":        d("delete", "departments", "deletes", bson.A{d("q", fence("d1", int64(3)), "limit", int32(1))}, "$db", "app"),
		"findOneAndUpdate": d("findAndModify", "departments", "query", fence("d1", 3.0), "update", d("$set", d("_fence", 3.0)), "$db", "app"),
	}
	for name, command := range cases {
		t.Run(name, func(t *testing.T) {
			msg := opMsgWith(t, 0, body(command))
			w, ok := fencedWriteOf(requestOf(t, msg), msg)
			if !ok {
				t.Fatal("not recognised")
			}
			if w.id.StringValue() != "d1" || numberOf(w.epoch) != 3 {
				t.Fatalf("id %v, epoch %v", w.id, w.epoch)
			}
			// The write sent on: the same command, its filter `_id` alone.
			rewritten, err := bson.Marshal(w.setID(d("_id", "d1")))
			if err != nil {
				t.Fatal(err)
			}
			var got bson.M
			if err := bson.Unmarshal(rewritten, &got); err != nil {
				t.Fatal(err)
			}
			filter := got["query"]
			if filter == nil {
				list := got["updates"]
				if list == nil {
					list = got["deletes"]
				}
				filter = list.(bson.A)[0].(bson.M)["q"]
			}
			if len(filter.(bson.M)) != 1 || filter.(bson.M)["_id"] != "d1" || got["$db"] != "app" {
				t.Fatalf("rewritten to %v", got)
			}
		})
	}
}

func TestFencedWriteOfPassesEverythingElseThrough(t *testing.T) {
	update := func(q bson.D, more ...any) bson.D {
		return d("update", "c", "updates", bson.A{append(d("q", q, "u", d("$set", d("a", 1))), d(more...)...)}, "$db", "app")
	}
	cases := map[string][]byte{
		"no fence":               opMsgWith(t, 0, body(update(d("_id", "a")))),
		"another condition":      opMsgWith(t, 0, body(update(append(fence("a", 1), bson.E{Key: "x", Value: 1})))),
		"fence first":            opMsgWith(t, 0, body(update(d("_fence", d("$not", d("$gt", 1)), "_id", "a")))),
		"an id that is a filter": opMsgWith(t, 0, body(update(fence(d("$in", bson.A{"a"}), 1)))),
		"a numeric id":           opMsgWith(t, 0, body(update(fence(int32(7), 1)))),
		"$lte instead":           opMsgWith(t, 0, body(update(d("_id", "a", "_fence", d("$lte", 1))))),
		"an epoch not a number":  opMsgWith(t, 0, body(update(fence("a", "1")))),
		"upsert":                 opMsgWith(t, 0, body(update(fence("a", 1), "upsert", true))),
		"two statements": opMsgWith(t, 0, body(d("update", "c", "updates", bson.A{
			d("q", fence("a", 1), "u", d("$set", d("a", 1))),
			d("q", fence("b", 1), "u", d("$set", d("a", 1))),
		}, "$db", "app"))),
		"findAndModify upsert": opMsgWith(t, 0, body(d("findAndModify", "c", "query", fence("a", 1), "update", d("$set", d("a", 1)), "upsert", true, "$db", "app"))),
		"a document sequence": opMsgWith(t, 0,
			body(d("update", "c", "$db", "app")),
			section{kind: 1, identifier: "updates", documents: []bson.D{d("q", fence("a", 1), "u", d("$set", d("a", 1)))}}),
		"a checksum":     opMsgWith(t, flagChecksumPresent, body(update(fence("a", 1)))),
		"unacknowledged": opMsgWith(t, flagMoreToCome, body(update(fence("a", 1)))),
		"an insert":      opMsgWith(t, 0, body(d("insert", "c", "documents", bson.A{d("_id", "a", "_fence", 1)}, "$db", "app"))),
	}
	for name, msg := range cases {
		t.Run(name, func(t *testing.T) {
			if _, ok := fencedWriteOf(requestOf(t, msg), msg); ok {
				t.Fatal("taken for a fenced write by _id")
			}
		})
	}
}

func TestFencedWriteAdmits(t *testing.T) {
	stored := func(doc bson.D) bson.Raw {
		raw, err := bson.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	var w fencedWrite
	if !w.takeFilter(fence("a", int64(5))) {
		t.Fatal("filter not taken")
	}
	cases := []struct {
		name string
		doc  bson.Raw
		want bool
	}{
		{"no document", nil, false},
		{"no stamp", stored(d("_id", "a")), true},
		{"a lower stamp", stored(d("_id", "a", "_fence", int32(4))), true},
		{"the same stamp", stored(d("_id", "a", "_fence", 5.0)), true},
		{"a higher stamp", stored(d("_id", "a", "_fence", int64(6))), false},
		{"a higher fractional stamp", stored(d("_id", "a", "_fence", 5.5)), false},
		{"a stamp that is not a number", stored(d("_id", "a", "_fence", "9")), true},
		{"a null stamp", stored(d("_id", "a", "_fence", nil)), true},
	}
	for _, c := range cases {
		if got := w.admits(c.doc); got != c.want {
			t.Errorf("%s: admits %v, want %v", c.name, got, c.want)
		}
	}
}
