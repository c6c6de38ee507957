# The seed example of issue 5 (written from the issue text): ten Kubernetes workers that take
# their identity (MACs from a pool, vNICs on the data VLANs) from one compute profile bound to
# slots 1-10. Slots 5-7 are empty in the default chassis: the profile is bound to the slot and
# takes effect when a blade is inserted.

resource "vessel_mac_pool" "k8s" {
  name  = "k8s-macs"
  start = "28:6E:D4:88:C6:00"
  size  = 256
}

resource "vessel_vnic_profile" "data_a" {
  name    = "k8s-data-a"
  vlan_id = 100
  fabric  = "swi2"
}

resource "vessel_vnic_profile" "data_b" {
  name    = "k8s-data-b"
  vlan_id = 100
  fabric  = "swi3"
}

resource "vessel_compute_profile" "k8s_worker" {
  name          = "k8s-worker"
  mac_pool      = vessel_mac_pool.k8s.id
  vnic_profiles = [vessel_vnic_profile.data_a.id, vessel_vnic_profile.data_b.id]
  boot_order    = ["pxe", "hdd"]
}

resource "vessel_blade" "worker" {
  for_each        = toset(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"])
  slot            = tonumber(each.key)
  compute_profile = vessel_compute_profile.k8s_worker.id
  power           = "on"
}
