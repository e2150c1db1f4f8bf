// Writes a Trivy vulnerability DB (schema 2, BoltDB) holding npm advisories, for bench/lockfile-vs-trivy.mjs:
//   trivy-npm-db OUT.db IN.json
// IN.json: [{"name": "lodash", "id": "GHSA-…", "vulnerable": [">=4.0.0 <4.17.21"], "patched": ["4.17.21"],
// "severity": "HIGH", "title": "…"}], made by the bench from Bulwark's own advisory DB (the same OSV records).
// Built like the synthetic DB of make-test-images.sh --trivy-db (Debian's golang-go + golang-github-coreos-bbolt-dev).
package main

import (
	"encoding/json"
	"os"

	bolt "go.etcd.io/bbolt"
)

type adv struct {
	Name, ID, Severity, Title string
	Vulnerable, Patched        []string
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func main() {
	raw, err := os.ReadFile(os.Args[2])
	must(err)
	var advs []adv
	must(json.Unmarshal(raw, &advs))
	os.Remove(os.Args[1])
	db, err := bolt.Open(os.Args[1], 0644, nil)
	must(err)
	defer db.Close()
	const source = "npm::GitHub Security Advisory npm"
	sev := map[string]int{"UNKNOWN": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}
	must(db.Update(func(tx *bolt.Tx) error {
		ds, err := tx.CreateBucketIfNotExists([]byte("data-source"))
		must(err)
		b, _ := json.Marshal(map[string]string{"ID": "ghsa", "Name": "GitHub Security Advisory npm", "URL": "https://example.invalid"})
		must(ds.Put([]byte(source), b))
		root, err := tx.CreateBucketIfNotExists([]byte(source))
		must(err)
		vb, err := tx.CreateBucketIfNotExists([]byte("vulnerability"))
		must(err)
		for _, a := range advs {
			pb, err := root.CreateBucketIfNotExists([]byte(a.Name))
			must(err)
			v := map[string]interface{}{"VulnerableVersions": a.Vulnerable, "PatchedVersions": a.Patched}
			b, _ := json.Marshal(v)
			must(pb.Put([]byte(a.ID), b))
			d, _ := json.Marshal(map[string]interface{}{"Title": a.Title, "Severity": a.Severity, "VendorSeverity": map[string]int{"ghsa": sev[a.Severity]}})
			must(vb.Put([]byte(a.ID), d))
		}
		return nil
	}))
}
