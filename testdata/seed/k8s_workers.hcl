# The seed example of issue 5 (written from the issue text): ten Kubernetes workers that take
# their identity from one compute profile bound to slots 1-10. The profile refers to the MAC
# pool and to the vNIC profiles of the data network. Slots 5-7 are empty in the default chassis:
# the profile is bound to the slot and takes effect when a blade is inserted.

resource "vessel_mac_pool" "k8s" {
  start_mac = "28:6E:D4:88:C6:00"
  size      = 256
}

resource "vessel_vnic_profile" "data_a" {
  name  = "k8s-data-a"
  vnics = 2
  vlans = [100]
}

resource "vessel_vnic_profile" "data_b" {
  name  = "k8s-data-b"
  vnics = 2
  vlans = [200]
}

resource "vessel_compute_profile" "k8s_worker" {
  name        = "k8s-worker"
  description = "Kubernetes worker (vNICs ${vessel_vnic_profile.data_a.name}, ${vessel_vnic_profile.data_b.name})"
  boot_mode   = "UEFI"
  boot_order  = ["Pxe", "Hdd"]
  mac_source  = vessel_mac_pool.k8s.size > 0 ? "pool" : "hardware"
  nics        = vessel_vnic_profile.data_a.vnics + vessel_vnic_profile.data_b.vnics
  vlans       = distinct(concat(vessel_vnic_profile.data_a.vlans, vessel_vnic_profile.data_b.vlans))
}

resource "vessel_blade" "worker" {
  for_each        = toset(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"])
  slot            = tonumber(each.key)
  compute_profile = vessel_compute_profile.k8s_worker.name
}
