module sc-neurocore/mirror

go 1.21
