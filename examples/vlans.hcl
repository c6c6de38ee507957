# VLANs on both CX310 switch modules of the chassis (A/B fabric pair).
# Try it:  vessel plan -f examples/vlans.hcl --chassis sim://

resource "vessel_vlan" "prod_a" {
  switch      = "swi2"
  vlan_id     = 100
  name        = "prod"
  description = "Production workloads, fabric A"
}

resource "vessel_vlan" "prod_b" {
  switch      = "swi3"
  vlan_id     = 100
  name        = "prod"
  description = "Production workloads, fabric B"
}

resource "vessel_vlan" "storage_a" {
  switch  = "swi2"
  vlan_id = 200
  name    = "storage"
}

resource "vessel_vlan" "storage_b" {
  switch  = "swi3"
  vlan_id = 200
  name    = "storage"
}
