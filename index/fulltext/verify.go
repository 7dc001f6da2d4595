package fulltext

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// sumFiles checksums every regular file under dir except meta.json.
func sumFiles(dir string) (map[string]FileSum, error) {
	sums := map[string]FileSum{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == MetaFile {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		h := crc32.New(crcTable)
		n, err := io.Copy(h, f)
		if err != nil {
			return err
		}
		sums[rel] = FileSum{Size: n, CRC32C: h.Sum32()}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cannot checksum the index files in %q: %w", dir, err)
	}
	return sums, nil
}

// checkSum compares what was read of a file with its recorded sum.
func checkSum(dir, rel string, want FileSum, n int64, crc uint32) error {
	switch {
	case n != want.Size:
		return fmt.Errorf("%w: %q is %d bytes, it was built with %d (changed or truncated since)", ErrCorrupt, filepath.Join(dir, rel), n, want.Size)
	case crc != want.CRC32C:
		return fmt.Errorf("%w: %q does not match its checksum (changed since it was built)", ErrCorrupt, filepath.Join(dir, rel))
	}
	return nil
}

// openError is the error of opening a file meta.json lists: a missing one makes the index
// corrupt; others (permissions, descriptors) may pass, and are retried.
func openError(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return fmt.Errorf("cannot open the index: %w", err)
}

// readVerified reads dir/rel whole and checks it against sums.
func readVerified(dir, rel string, sums map[string]FileSum) ([]byte, error) {
	want, ok := sums[rel]
	if !ok {
		return nil, fmt.Errorf("%w: meta.json of %q has no checksum for %s", ErrCorrupt, dir, rel)
	}
	f, err := os.Open(filepath.Join(dir, rel))
	if err != nil {
		return nil, openError(err)
	}
	defer f.Close()
	// The size is checked before anything is allocated (meta.json may lie), and one byte more
	// than expected is read to see a file that grows meanwhile.
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read %q: %w", filepath.Join(dir, rel), err)
	}
	if st.Size() != want.Size {
		return nil, checkSum(dir, rel, want, st.Size(), 0)
	}
	data := make([]byte, want.Size+1)
	n, err := io.ReadFull(f, data)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("cannot read %q: %w", filepath.Join(dir, rel), err)
	}
	data = data[:n]
	if err := checkSum(dir, rel, want, int64(len(data)), checksum(data)); err != nil {
		return nil, err
	}
	return data, nil
}

// openFulltext copies the Bleve files into a private directory, verifying each, then opens
// and probes the copy.
func (ix *Index) openFulltext(parent string) error {
	copyDir, err := newCopy(parent, ix.Meta.Lang)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			releaseCopy(copyDir)
		}
	}()
	var names []string
	for rel := range ix.Meta.Files {
		if strings.HasPrefix(rel, BleveDir+"/") {
			names = append(names, rel)
		}
	}
	if len(names) == 0 {
		return fmt.Errorf("%w: meta.json of %q lists no Bleve file", ErrCorrupt, ix.dir)
	}
	sort.Strings(names)
	for _, rel := range names {
		if err := copyVerified(ix.dir, copyDir, rel, ix.Meta.Files[rel]); err != nil {
			return err
		}
	}
	bi, err := openProbed(filepath.Join(copyDir, BleveDir), ix.Meta.Documents)
	if err != nil {
		return fmt.Errorf("cannot open the Bleve index of %q: %w", ix.dir, err)
	}
	ix.bleve, ix.copyDir, ok = bi, copyDir, true
	return nil
}

// copyVerified copies dir/rel to to/rel, checksumming the bytes as they are written.
func copyVerified(dir, to, rel string, want FileSum) error {
	if !fs.ValidPath(rel) {
		return fmt.Errorf("%w: meta.json of %q names a file outside it: %q", ErrCorrupt, dir, rel)
	}
	src, err := os.Open(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		return openError(err)
	}
	defer src.Close()
	dstPath := filepath.Join(to, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(dstPath), 0o700); err != nil {
		return fmt.Errorf("cannot copy the index: %w", err)
	}
	dst, err := os.OpenFile(dstPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("cannot copy the index: %w", err)
	}
	h := crc32.New(crcTable)
	// One byte more than expected is enough to see that the file grew.
	n, err := io.Copy(io.MultiWriter(dst, h), io.LimitReader(src, want.Size+1))
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cannot copy %q to %q: %w", filepath.Join(dir, rel), to, err)
	}
	return checkSum(dir, rel, want, n, h.Sum32())
}

// openProbed opens the Bleve index at p read-only and reads from it, inside a recover: Bleve
// trusts its files and panics on some damaged ones. docs is the document count meta.json
// promises.
func openProbed(p string, docs int) (bi bleve.Index, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: Bleve failed on it: %v", ErrCorrupt, r)
			if bi != nil {
				closeQuietly(bi)
				bi = nil
			}
		}
	}()
	bi, err = bleve.OpenUsing(p, map[string]any{"read_only": true})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if n, err := bi.DocCount(); err != nil || n != uint64(docs) {
		closeQuietly(bi)
		return nil, fmt.Errorf("%w: %d documents (%v), meta.json says %d", ErrCorrupt, n, err, docs)
	}
	// Read the stored fields of the first and the last document, and search the first one's
	// title: the dictionary, postings and stored sections are all touched.
	for _, id := range []string{"0", strconv.Itoa(docs - 1)} {
		req := bleve.NewSearchRequestOptions(query.NewDocIDQuery([]string{id}), 1, 0, false)
		req.Fields = []string{"title"}
		res, err := bi.Search(req)
		if err != nil || len(res.Hits) != 1 {
			closeQuietly(bi)
			return nil, fmt.Errorf("%w: document %s cannot be read (%v)", ErrCorrupt, id, err)
		}
		title, _ := res.Hits[0].Fields["title"].(string)
		if id != "0" || title == "" {
			continue
		}
		m := query.NewMatchQuery(title)
		m.SetField("title")
		if res, err := bi.Search(bleve.NewSearchRequestOptions(m, 1, 0, false)); err != nil || len(res.Hits) == 0 {
			closeQuietly(bi)
			return nil, fmt.Errorf("%w: the title of document 0 is not found (%v)", ErrCorrupt, err)
		}
	}
	return bi, nil
}

func closeQuietly(bi bleve.Index) {
	defer func() { _ = recover() }()
	_ = bi.Close()
}

// Private copies are named merino-fulltext-<pid>-<lang>-<random>. A process that died leaves
// its copies behind; the next one removes those whose process is gone, or that carry its own
// pid but are not its own (a restarted container often gets the same pid).
const copyPrefix = "merino-fulltext-"

var copies = struct {
	sync.Mutex
	live map[string]bool
}{live: map[string]bool{}}

func newCopy(parent, lang string) (string, error) {
	if parent == "" {
		parent = os.TempDir()
	}
	copies.Lock()
	defer copies.Unlock()
	removeStaleCopies(parent)
	d, err := os.MkdirTemp(parent, copyPrefix+strconv.Itoa(os.Getpid())+"-"+lang+"-")
	if err != nil {
		return "", fmt.Errorf("cannot make a private copy of the Bleve index: %w", err)
	}
	copies.live[d] = true
	return d, nil
}

func releaseCopy(d string) {
	if d == "" {
		return
	}
	copies.Lock()
	delete(copies.live, d)
	copies.Unlock()
	_ = os.RemoveAll(d)
}

// removeStaleCopies removes the copies left in parent by processes that are gone. The
// caller holds copies' lock.
func removeStaleCopies(parent string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	me := os.Getpid()
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), copyPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidStr, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil {
			continue
		}
		d := filepath.Join(parent, e.Name())
		if (pid == me && !copies.live[d]) || (pid != me && !alive(pid)) {
			_ = os.RemoveAll(d)
		}
	}
}

// alive reports whether process pid exists (signal 0 checks without sending anything).
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
