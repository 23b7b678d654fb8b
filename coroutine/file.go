package coroutine

import (
	"hash"
	"io/fs"
	"time"
)

// FileOp is the kind of a file request. Paths in requests use "/" as the
// separator; drivers convert them for the host.
type FileOp uint8

// The file requests.
const (
	// FileList lists the directory Path: Entries get each entry's name and
	// type, in no particular order, "." and ".." excluded.
	FileList FileOp = iota + 1
	// FileRead reads the file Path: the whole file when Limit is 0, else at
	// most its first Limit bytes. The result has Data and the file's full
	// Size and ModTime.
	FileRead
	// FileStat reports Size, ModTime and IsDir of Path.
	FileStat
	// FileCreate creates Path exclusively (failing with fs.ErrExist when it
	// exists), writes Data, syncs and closes it, with permission Perm
	// (0600 when zero). When ModTime is set, the file's access and
	// modification times are set to it before the sync.
	FileCreate
	// FileRename renames Path to Target. Unless Replace is set, it fails
	// with fs.ErrExist when Target exists and never overwrites it.
	FileRename
	// FileLink makes Target a hard link to Path, failing with fs.ErrExist
	// when Target exists.
	FileLink
	// FileRemove removes the file Path.
	FileRemove
	// FileMkdir makes the directory Path (and its parents when Recursive),
	// with permission Perm (0700 when zero). An existing directory is not an
	// error.
	FileMkdir
	// FileRemoveDir removes the directory Path, which must be empty unless
	// Recursive is set.
	FileRemoveDir
	// FileSyncDir syncs the directory Path so that entries created or
	// renamed in it survive a crash.
	FileSyncDir
	// FileWatch waits until something changes in any of the directories of
	// the batch (each request one directory), or Wait elapses. The results
	// of the batch say which directories changed (Changed true). Drivers
	// coalesce bursts of changes.
	FileWatch
	// FileCopyOut copies the file Path to the operation's sink (see
	// "Streaming bodies" in the package doc) as it reads it, never holding
	// it whole. When Limit is positive and the file is larger, it fails
	// with an error matching email.ErrTooLarge before writing anything.
	// The result has Size (the bytes copied), ModTime, and Sum when Hash
	// is set. A sink error is the result's Err.
	FileCopyOut
	// FileCopyIn creates Path exclusively (fs.ErrExist when it exists,
	// before anything is read) with permission Perm (0600 when zero),
	// writes the operation's source into it as it reads it until the
	// source ends, syncs and closes it. More than Limit bytes (when
	// positive) fail with an error matching email.ErrTooLarge. On any
	// failure the file is removed. The result has Size, the first Head
	// bytes in Data, and Sum when Hash is set.
	FileCopyIn
	// FileDigest reads the file Path through Hash without holding it and
	// returns Size and Sum: a second pass for digests that need the size
	// first (the m2dir checksum of a message whose size was unknown).
	FileDigest
	// FileOwnerAlive asks whether the process that wrote a lock file is
	// still running on this host: Path is the lock file (for traces; the
	// driver does not read it) and Limit is the process id. The result's
	// Err is nil when the process exists, an error matching
	// fs.ErrNotExist when no such process exists, and any other error when
	// the driver cannot tell. See OwnerAlive.
	FileOwnerAlive
)

var fileOpNames = [...]string{"", "list", "read", "stat", "create", "rename", "link", "remove", "mkdir", "rmdir", "syncdir", "watch", "copyout", "copyin", "digest", "alive"}

// String names the operation.
func (op FileOp) String() string {
	if int(op) < len(fileOpNames) && op != 0 {
		return fileOpNames[op]
	}
	return "invalid"
}

// FileRequest is one file operation a machine asks for. Requests of one
// batch are independent: a driver may perform them in any order or in
// parallel.
type FileRequest struct {
	Op        FileOp        // the operation
	Path      string        // the file or directory it acts on
	Target    string        // FileRename, FileLink: the destination
	Data      []byte        // FileCreate: the content
	Limit     int64         // FileRead: at most this many bytes, 0 = whole file; FileCopyOut, FileCopyIn: the largest size accepted
	Head      int64         // FileCopyIn: keep this many leading bytes in FileResult.Data
	Perm      fs.FileMode   // FileCreate, FileMkdir
	Recursive bool          // FileMkdir, FileRemoveDir
	Replace   bool          // FileRename: allow replacing Target
	Wait      time.Duration // FileWatch: give up after this long (0: no limit)
	ModTime   time.Time     `json:",omitzero"` // FileCreate: the file's times, when not zero

	// Digest, for FileRead, is an optional pure function of the bytes read
	// (and the file's full size) that a driver may run right after the
	// read, on the goroutine that did it, putting its value in
	// FileResult.Digest. It lets per-file CPU work (parsing a header)
	// spread over a driver's workers instead of running in Resume. It must
	// be safe for concurrent use and do no I/O. Machines never depend on
	// it: a driver, or a replayed script, may leave FileResult.Digest nil,
	// and the machine then computes the same value from Data itself.
	// Scripts do not record it.
	Digest func(data []byte, size int64) any `json:"-"`

	// DigestOnly, for FileRead with a Digest, lets a driver that ran the
	// Digest leave FileResult.Data nil, sparing it a copy of every head
	// into memory that outlives the read: the digest's value must then
	// hold all the machine needs of the bytes (their length included). A
	// driver that does not run the Digest, or a replayed script, fills
	// Data as usual. Scripts do not record it.
	DigestOnly bool `json:"-"`

	// Hash, for FileCopyOut, FileCopyIn and FileDigest, is an optional
	// pure function returning a fresh hash for a body of the given size.
	// The driver writes every byte copied into it and puts its Sum(nil)
	// in FileResult.Sum. For FileCopyIn, whose size is known only at the
	// end of the source, a driver calls it with the size it copied, and
	// hashes the bytes as they pass when the source ended within its
	// first buffer, else reads the written file back (while it syncs); a
	// driver may also leave Sum nil there, or (an older one) call it with
	// -1, so a machine that needs the size checks it. Unlike Digest,
	// machines rely on Sum, so scripts record it.
	Hash func(size int64) hash.Hash `json:"-"`
}

// DirEntry is one entry of a listed directory.
type DirEntry struct {
	Name  string // the entry's name, without its directory
	IsDir bool   // whether the entry is a directory
}

// FileResult is the outcome of one FileRequest. Err is nil on success;
// otherwise it is the error of the underlying call, so errors.Is(err,
// fs.ErrNotExist) and errors.Is(err, fs.ErrExist) work.
type FileResult struct {
	Err     error      // the failure, nil on success
	Entries []DirEntry // FileList
	Data    []byte     // FileRead
	Size    int64      // FileRead, FileStat: the full size of the file
	ModTime time.Time  // FileRead, FileStat, FileList (of the directory)
	IsDir   bool       // FileStat
	Changed bool       // FileWatch
	Digest  any        // FileRead: the value of the request's Digest, or nil
	Sum     []byte     // FileCopyOut, FileCopyIn, FileDigest: the request's Hash sum
}

// List returns a FileList request.
func List(dir string) FileRequest { return FileRequest{Op: FileList, Path: dir} }

// ReadHead returns a FileRead request for at most limit bytes of p (the
// whole file when limit is 0).
func ReadHead(p string, limit int64) FileRequest {
	return FileRequest{Op: FileRead, Path: p, Limit: limit}
}

// Create returns a FileCreate request.
func Create(p string, data []byte) FileRequest {
	return FileRequest{Op: FileCreate, Path: p, Data: data}
}

// Rename returns a no-clobber FileRename request.
func Rename(from, to string) FileRequest {
	return FileRequest{Op: FileRename, Path: from, Target: to}
}

// Link returns a FileLink request.
func Link(from, to string) FileRequest {
	return FileRequest{Op: FileLink, Path: from, Target: to}
}

// Remove returns a FileRemove request.
func Remove(p string) FileRequest { return FileRequest{Op: FileRemove, Path: p} }

// Mkdir returns a FileMkdir request.
func Mkdir(p string) FileRequest { return FileRequest{Op: FileMkdir, Path: p} }

// SyncDir returns a FileSyncDir request.
func SyncDir(p string) FileRequest { return FileRequest{Op: FileSyncDir, Path: p} }
