data "vessel_inventory" "chassis" {}

resource "vessel_blade" "present" {
  for_each = toset([for s in data.vessel_inventory.chassis.present_slots : tostring(s) if s <= 4])
  slot     = tonumber(each.key)
  power    = "on"
}

resource "vessel_blade" "spare" {
  slot  = 5
  power = "on"
}

output "empty" {
  value = data.vessel_inventory.chassis.empty_slots
}
