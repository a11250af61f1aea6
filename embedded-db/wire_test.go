package main

import (
	"bytes"
	"encoding/binary"
	"io"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/bson"
)

// section is one OP_MSG section: kind 0 (the body) or kind 1 (a document sequence).
type section struct {
	kind       byte
	identifier string // kind 1 only
	documents  []bson.D
}

func marshal(t *testing.T, doc bson.D) []byte {
	t.Helper()
	raw, err := bson.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func message(opCode int32, payload []byte) []byte {
	msg := make([]byte, headerSize, headerSize+len(payload))
	binary.LittleEndian.PutUint32(msg[0:], uint32(headerSize+len(payload)))
	binary.LittleEndian.PutUint32(msg[4:], 7) // requestID
	binary.LittleEndian.PutUint32(msg[12:], uint32(opCode))
	return append(msg, payload...)
}

func opMsgWith(t *testing.T, flags uint32, sections ...section) []byte {
	t.Helper()
	payload := binary.LittleEndian.AppendUint32(nil, flags)
	for _, s := range sections {
		payload = append(payload, s.kind)
		if s.kind == 0 {
			payload = append(payload, marshal(t, s.documents[0])...)
			continue
		}
		var sequence []byte
		sequence = append(sequence, s.identifier...)
		sequence = append(sequence, 0)
		for _, doc := range s.documents {
			sequence = append(sequence, marshal(t, doc)...)
		}
		payload = binary.LittleEndian.AppendUint32(payload, uint32(4+len(sequence)))
		payload = append(payload, sequence...)
	}
	if flags&flagChecksumPresent != 0 {
		payload = append(payload, 1, 2, 3, 4)
	}
	return message(opMsg, payload)
}

// d builds a document from keys and values in turn.
func d(pairs ...any) bson.D {
	doc := bson.D{}
	for i := 0; i < len(pairs); i += 2 {
		doc = append(doc, bson.E{Key: pairs[i].(string), Value: pairs[i+1]})
	}
	return doc
}

func body(doc bson.D) section { return section{kind: 0, documents: []bson.D{doc}} }

func TestParseRequestWrites(t *testing.T) {
	cases := []struct {
		name    string
		msg     []byte
		command string
		ns      string
	}{
		{
			name:    "update with its updates in a document sequence after the body",
			command: "update", ns: "app.users",
			msg: opMsgWith(t, 0,
				body(d("update", "users", "ordered", true, "$db", "app")),
				section{kind: 1, identifier: "updates", documents: []bson.D{
					d("q", d("_id", 1), "u", d("$inc", d("n", 1))),
				}}),
		},
		{
			name:    "insert with its documents in a sequence before the body",
			command: "insert", ns: "app.things",
			msg: opMsgWith(t, 0,
				section{kind: 1, identifier: "documents", documents: []bson.D{d("_id", 1), d("_id", 2)}},
				body(d("insert", "things", "$db", "app"))),
		},
		{
			name:    "delete with its deletes in the body",
			command: "delete", ns: "app.things",
			msg: opMsgWith(t, 0, body(d("delete", "things", "deletes", bson.A{d("q", d(), "limit", 0)}, "$db", "app"))),
		},
		{
			name:    "findAndModify",
			command: "findAndModify", ns: "app.counters",
			msg: opMsgWith(t, 0, body(d("findAndModify", "counters", "query", d("_id", "a"), "update", d("$inc", d("n", 1)), "$db", "app"))),
		},
		{
			name:    "findandmodify, the old lower-case name",
			command: "findandmodify", ns: "app.counters",
			msg: opMsgWith(t, 0, body(d("findandmodify", "counters", "$db", "app"))),
		},
		{
			name:    "a checksum after the sections",
			command: "update", ns: "app.users",
			msg: opMsgWith(t, flagChecksumPresent, body(d("update", "users", "$db", "app"))),
		},
		{
			name:    "$db before the command's other fields",
			command: "insert", ns: "other.a.b",
			msg: opMsgWith(t, 0, body(d("insert", "a.b", "$db", "other", "documents", bson.A{}))),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := parseRequest(c.msg)
			if err != nil {
				t.Fatal(err)
			}
			if req.command != c.command || req.namespace() != c.ns || !req.isWrite() || req.moreToCome {
				t.Fatalf("got %+v (namespace %q, write %v), want %s on %s", req, req.namespace(), req.isWrite(), c.command, c.ns)
			}
		})
	}
}

func TestParseRequestMoreToCome(t *testing.T) {
	req, err := parseRequest(opMsgWith(t, flagMoreToCome, body(d("insert", "logs", "writeConcern", d("w", 0), "$db", "app"))))
	if err != nil {
		t.Fatal(err)
	}
	if !req.moreToCome || !req.isWrite() || req.namespace() != "app.logs" {
		t.Fatalf("got %+v", req)
	}
}

func TestParseRequestNotWrites(t *testing.T) {
	cases := map[string][]byte{
		"find":      opMsgWith(t, 0, body(d("find", "users", "filter", d("update", "users"), "$db", "app"))),
		"aggregate": opMsgWith(t, 0, body(d("aggregate", "users", "pipeline", bson.A{}, "$db", "app"))),
		"hello":     opMsgWith(t, 0, body(d("hello", 1, "$db", "admin"))),
		"getMore":   opMsgWith(t, 0, body(d("getMore", int64(5), "collection", "users", "$db", "app"))),
		// The driver's first hello: OP_QUERY on admin.$cmd, passed through as it is.
		"OP_QUERY hello": message(2004, append(append(append(
			binary.LittleEndian.AppendUint32(nil, 0), "admin.$cmd\x00"...),
			binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, 0), 0xffffffff)...),
			marshal(t, d("isMaster", 1))...)),
	}
	for name, msg := range cases {
		t.Run(name, func(t *testing.T) {
			req, err := parseRequest(msg)
			if err != nil {
				t.Fatal(err)
			}
			if req.isWrite() {
				t.Fatalf("%s taken for a write: %+v", name, req)
			}
		})
	}
}

func TestParseRequestCommandNameInAnyCase(t *testing.T) {
	for _, name := range []string{"UPDATE", "Insert", "DELETE", "FindAndModify"} {
		req, err := parseRequest(opMsgWith(t, 0, body(d(name, "c", "$db", "d"))))
		if err != nil || !req.isWrite() {
			t.Fatalf("%s: %+v, %v", name, req, err)
		}
	}
}

func TestParseRequestMalformed(t *testing.T) {
	valid := opMsgWith(t, 0, body(d("update", "users", "$db", "app")))
	truncatedDocument := append([]byte(nil), valid...)
	binary.LittleEndian.PutUint32(truncatedDocument[headerSize+5:], 1000) // the body's length
	unknownKind := append([]byte(nil), valid...)
	unknownKind[headerSize+4] = 9
	cases := map[string][]byte{
		"shorter than a header":        valid[:10],
		"no flags":                     message(opMsg, nil),
		"no sections":                  message(opMsg, []byte{0, 0, 0, 0}),
		"body longer than the message": truncatedDocument,
		"unknown section kind":         unknownKind,
		"two bodies": opMsgWith(t, 0,
			body(d("find", "a", "$db", "app")),
			body(d("update", "b", "$db", "app"))),
		"empty body": opMsgWith(t, 0, body(d())),
	}
	for name, msg := range cases {
		t.Run(name, func(t *testing.T) {
			if req, err := parseRequest(msg); err == nil {
				t.Fatalf("accepted: %+v", req)
			}
		})
	}
}

func TestReadMessage(t *testing.T) {
	first := opMsgWith(t, 0, body(d("update", "users", "$db", "app")))
	second := opMsgWith(t, 0, body(d("find", "users", "$db", "app")))
	stream := bytes.NewReader(append(append([]byte(nil), first...), second...))
	for _, want := range [][]byte{first, second} {
		got, err := readMessage(stream)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("got %v, %v", got, err)
		}
	}
	if _, err := readMessage(stream); err != io.EOF {
		t.Fatalf("after the last message: %v", err)
	}

	for name, length := range map[string]uint32{"below a header": 15, "above 48 MB": maxMessageSize + 1} {
		header := binary.LittleEndian.AppendUint32(nil, length)
		_, err := readMessage(bytes.NewReader(append(header, make([]byte, 12)...)))
		if err == nil || !strings.Contains(err.Error(), "out of range") {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if _, err := readMessage(bytes.NewReader(first[:len(first)-1])); err != io.ErrUnexpectedEOF {
		t.Fatalf("cut message: %v", err)
	}
}

func TestNamespaceLocksHoldOneNamespaceOnly(t *testing.T) {
	var locks namespaceLocks
	unlock := locks.lock("app.users")
	locks.lock("app.things")() // another collection is not held up
	if locks.byName["app.users"].TryLock() {
		t.Fatal("the same namespace was locked twice")
	}
	unlock()
	locks.lock("app.users")()
}
