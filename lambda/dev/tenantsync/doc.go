// Package tenantsync moves tenant folders between a templates folder and an
// S3 prefix in the layout the functions read (lambda/tenants3): push (after
// the same check `cogmail check` runs), pull and diff. Dev tooling for
// `cogmail tenants`: it uses the SDK's S3 client, which no function links.
//
// Layout under s3://bucket/prefix/: <id>/… as in tenants/<id>/ of a
// templates folder, _manifests/<id>.json (a tenant's files and their
// ETags, written after its files) and _index.json (every tenant and its
// match values, written last): a tenant is in S3 when the index names it.
package tenantsync
