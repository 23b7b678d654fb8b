package header

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// realisticHead is a 2.6 KB head such as a mailing-list message carries:
// eight Received fields, a DKIM signature, encoded words.
var realisticHead = []byte(strings.ReplaceAll(`Return-Path: <dev-list-bounces@lists.example.org>
Delivered-To: bob@example.com
Received: from mx.example.com (mx.example.com [192.0.2.1])
	by imap.example.com with LMTP id 8e2cVx1hH2bPEgAAqzq9Rg
	for <bob@example.com>; Mon, 16 Jun 2025 10:21:07 +0200
Received: from lists.example.org (lists.example.org [192.0.2.30])
	by mx.example.com (Postfix) with ESMTPS id 4W1x2y3z4
	for <bob@example.com>; Mon, 16 Jun 2025 10:21:06 +0200 (CEST)
Received: from lists.example.org (localhost [127.0.0.1])
	by lists.example.org (Postfix) with ESMTP id 1A2B3C4D5E;
	Mon, 16 Jun 2025 08:21:05 +0000 (UTC)
Received: from mail-wr1-f41.google.example (mail-wr1-f41.google.example [209.85.221.41])
	by lists.example.org (Postfix) with ESMTPS id 9F8E7D6C5B
	for <dev-list@lists.example.org>; Mon, 16 Jun 2025 08:21:03 +0000 (UTC)
Received: by mail-wr1-f41.google.example with SMTP id ffacd0b85a97d-3a4f7ab1c2dso12345f8f.1
        for <dev-list@lists.example.org>; Mon, 16 Jun 2025 01:21:03 -0700 (PDT)
Received: from [192.168.1.20] ([203.0.113.9])
        by smtp.gmail.example with ESMTPSA id 5b1f17b1804b1-4533deadbeefsm1234567f8f.12.2025.06.16.01.21.01
        (version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128);
        Mon, 16 Jun 2025 01:21:02 -0700 (PDT)
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=20230601; t=1750062063; x=1750666863;
        h=to:subject:message-id:date:from:mime-version:from:to:cc:subject:date:message-id:reply-to;
        bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;
        b=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy
         YmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9v
         YmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4
X-Google-DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=1e100.example; s=20230601; t=1750062063;
        bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;
        b=cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9v
X-Received: by 2002:a05:6000:4012:b0:3a4:f7ab:1c2d with SMTP id ffacd0b85a97d; Mon, 16 Jun 2025 01:21:03 -0700 (PDT)
MIME-Version: 1.0
From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.org>
Date: Mon, 16 Jun 2025 10:21:02 +0200
Message-ID: <CAF=+9xY1234567890abcdefghijklmnopqrstuvwxyz@mail.gmail.example>
Subject: =?UTF-8?B?W2Rldi1saXN0XSBSZTogR3LDvMOfZSBhdXMgTcO8bmNoZW4=?=
To: dev-list@lists.example.org, "Stone, Bob" <bob@example.com>
Cc: Alice Martin <alice@example.org>
List-Id: Developers <dev-list.lists.example.org>
List-Unsubscribe: <mailto:dev-list-leave@lists.example.org>
Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f6a7b8"

`, "\n", "\r\n"))

func BenchmarkEnd(b *testing.B) {
	b.SetBytes(int64(len(realisticHead)))
	for b.Loop() {
		if End(realisticHead) < 0 {
			b.Fatal("no end")
		}
	}
}

// BenchmarkScan is ours: find the end, decode Subject, From, To, Cc, Date,
// Message-ID, Content-Type and Content-Disposition.
func BenchmarkScan(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(realisticHead)))
	for b.Loop() {
		if s := Scan(realisticHead); s.Date.IsZero() || len(s.From) != 1 {
			b.Fatal("bad scan")
		}
	}
}

// BenchmarkGoMessage is the common way: go-message's textproto.ReadHeader,
// then mail.Header decoding of Subject, From, To, Date and Message-ID.
func BenchmarkGoMessage(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(realisticHead)))
	for b.Loop() {
		h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(realisticHead)))
		if err != nil {
			b.Fatal(err)
		}
		mh := mail.Header{Header: message.Header{Header: h}}
		_, _ = mh.Subject()
		from, _ := mh.AddressList("From")
		_, _ = mh.AddressList("To")
		d, _ := mh.Date()
		_, _ = mh.MessageID()
		if d.IsZero() || len(from) != 1 {
			b.Fatal("bad parse")
		}
	}
}

// BenchmarkScanCorpus scans every sample message.
func BenchmarkScanCorpus(b *testing.B) {
	msgs := corpusMessages(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, m := range msgs {
			Scan(m)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(msgs)), "ns/msg")
}

// BenchmarkGoMessageCorpus does the go-message way on every sample.
func BenchmarkGoMessageCorpus(b *testing.B) {
	msgs := corpusMessages(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, m := range msgs {
			h, _ := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(m)))
			mh := mail.Header{Header: message.Header{Header: h}}
			_, _ = mh.Subject()
			_, _ = mh.AddressList("From")
			_, _ = mh.AddressList("To")
			_, _ = mh.Date()
			_, _ = mh.MessageID()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(msgs)), "ns/msg")
}

func BenchmarkParseDate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseDate("Tue, 1 Jul 2003 10:52:37 +0200 (CEST)"); err != nil {
			b.Fatal(err)
		}
	}
}

func corpusMessages(b *testing.B) [][]byte {
	files, err := filepath.Glob(filepath.Join(corpus, "*.eml"))
	if err != nil || len(files) == 0 {
		b.Fatal("no samples", err)
	}
	var out [][]byte
	for _, name := range files {
		out = append(out, readSample(b, filepath.Base(name)))
	}
	return out
}

// BenchmarkScanListHead scans the head of a message of the listing benches
// (bench/maildir, bench/m2dir): six Received fields, a DKIM signature, a To
// list with encoded words.
func BenchmarkScanListHead(b *testing.B) {
	head, err := os.ReadFile("testdata/listhead.eml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(head)))
	for b.Loop() {
		if s := Scan(head); s.Date.IsZero() || len(s.From) != 1 {
			b.Fatal("bad scan")
		}
	}
}
