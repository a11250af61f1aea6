package main

// The MongoDB wire protocol, as far as the front needs it: whole messages, and which command
// and namespace an OP_MSG request names.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
)

const (
	headerSize = 16
	opMsg      = 2013
	// maxMessageSize is MongoDB's maxMessageSizeBytes, FerretDB's limit too.
	maxMessageSize = 48_000_000

	flagChecksumPresent = 1 << 0
	// flagMoreToCome on a request: the client expects no reply (a w:0 write).
	flagMoreToCome = 1 << 1
)

// readMessage reads one whole message, its header included.
func readMessage(r io.Reader) ([]byte, error) {
	var length [4]byte
	if _, err := io.ReadFull(r, length[:]); err != nil {
		return nil, err
	}
	size := int32(binary.LittleEndian.Uint32(length[:]))
	if size < headerSize || size > maxMessageSize {
		return nil, fmt.Errorf("message length %d out of range", size)
	}
	msg := make([]byte, size)
	copy(msg, length[:])
	if _, err := io.ReadFull(r, msg[4:]); err != nil {
		return nil, err
	}
	return msg, nil
}

// request is what the front reads of a client's message.
type request struct {
	command    string // the command document's first key; empty for other opcodes
	db         string // the command document's $db
	collection string // the command's value when it is a string
	moreToCome bool   // the client expects no reply
}

// writeCommands read a document and write it back (FerretDB does not do that atomically),
// or insert what such a write may race with. Matched in any case: locking too much is harmless.
var writeCommands = map[string]bool{"insert": true, "update": true, "delete": true, "findandmodify": true}

// isWrite: the request must hold its collection's lock until FerretDB has answered it.
func (r request) isWrite() bool {
	return writeCommands[strings.ToLower(r.command)]
}

// namespace names the lock a write holds.
func (r request) namespace() string {
	return r.db + "." + r.collection
}

// parseRequest reads an OP_MSG's command, database and collection. Other opcodes give an empty
// request: FerretDB runs no write for them (OP_QUERY serves only the handshake, legacy
// writes and OP_COMPRESSED are refused).
func parseRequest(msg []byte) (request, error) {
	if len(msg) < headerSize {
		return request{}, errors.New("message shorter than its header")
	}
	if int32(binary.LittleEndian.Uint32(msg[12:16])) != opMsg {
		return request{}, nil
	}
	if len(msg) < headerSize+4 {
		return request{}, errors.New("OP_MSG without flags")
	}
	flags := binary.LittleEndian.Uint32(msg[headerSize:])
	sections := msg[headerSize+4:]
	if flags&flagChecksumPresent != 0 {
		if len(sections) < 4 {
			return request{}, errors.New("OP_MSG too short for its checksum")
		}
		sections = sections[:len(sections)-4]
	}

	var body bson.Raw
	for len(sections) > 0 {
		kind := sections[0]
		sections = sections[1:]
		if len(sections) < 4 {
			return request{}, errors.New("OP_MSG section without a length")
		}
		size := int32(binary.LittleEndian.Uint32(sections))
		if size < 5 || int(size) > len(sections) {
			return request{}, fmt.Errorf("OP_MSG section length %d out of range", size)
		}
		switch kind {
		case 0:
			if body != nil {
				return request{}, errors.New("OP_MSG with two body sections")
			}
			body = bson.Raw(sections[:size])
		case 1: // a document sequence (insert's documents, update's updates…): not needed here
		default:
			return request{}, fmt.Errorf("OP_MSG section of unknown kind %d", kind)
		}
		sections = sections[size:]
	}
	if body == nil {
		return request{}, errors.New("OP_MSG without a body section")
	}

	elements, err := body.Elements() // validates the document
	if err != nil {
		return request{}, fmt.Errorf("OP_MSG body: %w", err)
	}
	if len(elements) == 0 {
		return request{}, errors.New("OP_MSG body is empty")
	}
	req := request{command: elements[0].Key(), moreToCome: flags&flagMoreToCome != 0}
	req.collection, _ = elements[0].Value().StringValueOK()
	for _, element := range elements[1:] {
		if element.Key() == "$db" {
			req.db, _ = element.Value().StringValueOK()
		}
	}
	return req, nil
}
