package main

// Fenced writes by _id, without a scan. The service's write path (src/livechat/write-path/
// fencing.ts) filters its single-document writes by `{_id: X, _fence: {$not: {$gt: epoch}}}`.
// FerretDB's SQLite backend looks a document up by its key only when `_id` is the whole
// filter; with the fence beside it, it reads and decodes every document of the collection.
// The front holds the collection's write lock around a write anyway, so it can do the
// lookup itself: under the lock, it reads the document by `_id`, compares its `_fence`, and
// sends the write filtered by `_id` alone, or answers "nothing matched" without sending it.
// No other write of the collection can come between the read and the write, so the outcome
// is the one FerretDB would give for the original filter. Every other shape of filter, and
// any request this file does not recognise, is passed through unchanged.

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"strings"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/bsontype"
)

const fenceField = "_fence"

// fencedWrite is a write whose single statement is filtered by `_id` and the fence.
type fencedWrite struct {
	// setID is the command with its filter replaced by `{_id: id}`.
	setID func(bson.D) bson.D
	id    bson.RawValue
	epoch bson.RawValue
	// noMatch is the answer when the fence refuses the write (or the document is gone).
	noMatch bson.D
}

// fencedWriteOf recognises an update, delete or findAndModify of one statement, without
// upsert, filtered exactly by `{_id: <string or ObjectId>, _fence: {$not: {$gt: <number>}}}`.
// ok is false for anything else.
func fencedWriteOf(req request, msg []byte) (w fencedWrite, ok bool) {
	command := strings.ToLower(req.command)
	if command != "update" && command != "delete" && command != "findandmodify" ||
		req.moreToCome || !bytes.Contains(msg, []byte(fenceField)) {
		return w, false // inserts (large batches) and unfenced writes: decided without decoding
	}
	raw, ok := bodyOnly(msg)
	if !ok {
		return w, false
	}
	var body bson.D
	if bson.Unmarshal(raw, &body) != nil || len(body) == 0 {
		return w, false
	}
	switch command {
	case "update", "delete":
		list := "updates"
		if command == "delete" {
			list = "deletes"
		}
		i, statements := field(body, list)
		if i < 0 {
			return w, false
		}
		array, isArray := statements.(bson.A)
		if !isArray || len(array) != 1 {
			return w, false
		}
		statement, isDoc := array[0].(bson.D)
		if !isDoc || truthy(statement, "upsert") {
			return w, false
		}
		j, filter := field(statement, "q")
		if j < 0 || !w.takeFilter(filter) {
			return w, false
		}
		w.setID = func(byID bson.D) bson.D {
			replaced := append(bson.D(nil), statement...)
			replaced[j].Value = byID
			out := append(bson.D(nil), body...)
			out[i].Value = bson.A{replaced}
			return out
		}
		w.noMatch = bson.D{{Key: "n", Value: int32(0)}, {Key: "ok", Value: 1.0}}
		if list == "updates" {
			w.noMatch = bson.D{{Key: "n", Value: int32(0)}, {Key: "nModified", Value: int32(0)}, {Key: "ok", Value: 1.0}}
		}
		return w, true
	case "findandmodify":
		if truthy(body, "upsert") {
			return w, false
		}
		i, filter := field(body, "query")
		if i < 0 || !w.takeFilter(filter) {
			return w, false
		}
		w.setID = func(byID bson.D) bson.D {
			out := append(bson.D(nil), body...)
			out[i].Value = byID
			return out
		}
		w.noMatch = bson.D{
			{Key: "lastErrorObject", Value: bson.D{{Key: "n", Value: int32(0)}, {Key: "updatedExisting", Value: false}}},
			{Key: "value", Value: nil},
			{Key: "ok", Value: 1.0},
		}
		return w, true
	}
	return w, false
}

// takeFilter keeps the id and the epoch of `{_id: id, _fence: {$not: {$gt: epoch}}}`.
func (w *fencedWrite) takeFilter(filter any) bool {
	doc, ok := filter.(bson.D)
	if !ok || len(doc) != 2 || doc[0].Key != "_id" || doc[1].Key != fenceField {
		return false
	}
	id, ok := rawOf(doc[0].Value)
	if !ok || (id.Type != bsontype.String && id.Type != bsontype.ObjectID) {
		return false
	}
	not, ok := doc[1].Value.(bson.D)
	if !ok || len(not) != 1 || not[0].Key != "$not" {
		return false
	}
	gt, ok := not[0].Value.(bson.D)
	if !ok || len(gt) != 1 || gt[0].Key != "$gt" {
		return false
	}
	epoch, ok := rawOf(gt[0].Value)
	if !ok || !isNumber(epoch) {
		return false
	}
	w.id, w.epoch = id, epoch
	return true
}

// admits: `{$not: {$gt: epoch}}` on the stored document (nil when it does not exist).
// A missing or non-numeric `_fence` is not greater than a number (MongoDB's type bracketing).
func (w fencedWrite) admits(doc bson.Raw) bool {
	if doc == nil {
		return false
	}
	stored, err := doc.LookupErr(fenceField)
	if err != nil || !isNumber(stored) {
		return true
	}
	return !(numberOf(stored) > numberOf(w.epoch))
}

var internalRequestID atomic.Int32

// runFenced carries out w (the collection's lock is held): one read by `_id`, then the write
// by `_id` alone, or the "nothing matched" answer. Errors are the connection's: the caller
// drops it, as after any failed exchange.
func runFenced(w fencedWrite, req request, msg []byte, backend io.Writer, fromBackend *bufio.Reader) ([]byte, error) {
	find := bson.D{
		{Key: "find", Value: req.collection},
		{Key: "filter", Value: bson.D{{Key: "_id", Value: w.id}}},
		{Key: "projection", Value: bson.D{{Key: fenceField, Value: 1}}},
		{Key: "limit", Value: int64(1)},
		{Key: "singleBatch", Value: true},
		{Key: "$db", Value: req.db},
	}
	reply, err := roundTrip(find, -internalRequestID.Add(1), backend, fromBackend)
	if err != nil {
		return nil, err
	}
	replyBody, ok := bodyOnly(reply)
	if !ok {
		return nil, errors.New("embedded-db: unreadable reply to a fenced write's read")
	}
	if okValue, err := bson.Raw(replyBody).LookupErr("ok"); err != nil || numberOf(okValue) != 1 {
		// The read failed (FerretDB's answer says why): let FerretDB answer the original.
		return exchangeRaw(msg, backend, fromBackend)
	}
	var stored bson.Raw
	if batch, found := bson.Raw(replyBody).Lookup("cursor", "firstBatch").ArrayOK(); found {
		if first, err := batch.IndexErr(0); err == nil {
			stored, _ = first.Value().DocumentOK()
		}
	}
	requestID := int32(binary.LittleEndian.Uint32(msg[4:8]))
	if !w.admits(stored) {
		return replyMsg(w.noMatch, requestID)
	}
	return roundTrip(w.setID(bson.D{{Key: "_id", Value: w.id}}), requestID, backend, fromBackend)
}

// roundTrip sends `command` as an OP_MSG with `requestID` and reads FerretDB's reply.
func roundTrip(command bson.D, requestID int32, backend io.Writer, fromBackend *bufio.Reader) ([]byte, error) {
	msg, err := opMsgRequest(command, requestID)
	if err != nil {
		return nil, err
	}
	return exchangeRaw(msg, backend, fromBackend)
}

func exchangeRaw(msg []byte, backend io.Writer, fromBackend *bufio.Reader) ([]byte, error) {
	if _, err := backend.Write(msg); err != nil {
		return nil, err
	}
	return readMessage(fromBackend)
}

// opMsgRequest builds a request: header, no flags, one body section.
func opMsgRequest(command bson.D, requestID int32) ([]byte, error) {
	return opMsgWithHeader(command, requestID, 0)
}

// replyMsg builds the reply to request `responseTo`.
func replyMsg(reply bson.D, responseTo int32) ([]byte, error) {
	return opMsgWithHeader(reply, 0, responseTo)
}

func opMsgWithHeader(doc bson.D, requestID, responseTo int32) ([]byte, error) {
	raw, err := bson.Marshal(doc)
	if err != nil {
		return nil, err
	}
	size := headerSize + 4 + 1 + len(raw)
	msg := make([]byte, 0, size)
	msg = binary.LittleEndian.AppendUint32(msg, uint32(size))
	msg = binary.LittleEndian.AppendUint32(msg, uint32(requestID))
	msg = binary.LittleEndian.AppendUint32(msg, uint32(responseTo))
	msg = binary.LittleEndian.AppendUint32(msg, opMsg)
	msg = binary.LittleEndian.AppendUint32(msg, 0) // flags
	msg = append(msg, 0)                           // a body section
	return append(msg, raw...), nil
}

// bodyOnly is the body of an OP_MSG that has nothing else: no document sequence, no flag.
func bodyOnly(msg []byte) ([]byte, bool) {
	if len(msg) < headerSize+5 || int32(binary.LittleEndian.Uint32(msg[12:16])) != opMsg {
		return nil, false
	}
	if binary.LittleEndian.Uint32(msg[headerSize:]) != 0 || msg[headerSize+4] != 0 {
		return nil, false
	}
	raw := msg[headerSize+5:]
	if len(raw) < 5 || int(binary.LittleEndian.Uint32(raw)) != len(raw) {
		return nil, false
	}
	return raw, true
}

// field finds a key of doc: its index (-1 when absent) and value.
func field(doc bson.D, key string) (int, any) {
	for i, e := range doc {
		if e.Key == key {
			return i, e.Value
		}
	}
	return -1, nil
}

// truthy: the key is present and not false, 0 or null (how MongoDB reads an option flag).
func truthy(doc bson.D, key string) bool {
	i, v := field(doc, key)
	if i < 0 {
		return false
	}
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int32:
		return x != 0
	case int64:
		return x != 0
	case float64:
		return x != 0
	}
	return true
}

// rawOf encodes a decoded value back to a raw BSON value (its exact type kept).
func rawOf(v any) (bson.RawValue, bool) {
	t, data, err := bson.MarshalValue(v)
	if err != nil {
		return bson.RawValue{}, false
	}
	return bson.RawValue{Type: t, Value: data}, true
}

func isNumber(v bson.RawValue) bool {
	switch v.Type {
	case bsontype.Int32, bsontype.Int64, bsontype.Double:
		return true
	}
	return false
}

// numberOf: epochs are small integers, exact in a float64; a NaN compares false, as in MongoDB.
func numberOf(v bson.RawValue) float64 {
	switch v.Type {
	case bsontype.Int32:
		return float64(v.Int32())
	case bsontype.Int64:
		return float64(v.Int64())
	case bsontype.Double:
		return v.Double()
	}
	return math.NaN()
}
