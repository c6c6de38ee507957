# HMM menus on the webform resources: chassis settings, NTP, LDAP (write-only bind password),
# an account (write-only password from a sensitive variable), power capping, alarm reporting,
# a switch profile, and a management address computed with cidrhost.
variable "ops_password" {
  type      = string
  sensitive = true
}

variable "mgmt_prefix" {
  type    = string
  default = "10.10.0.0/24"
}

resource "vessel_chassis_settings" "this" {
  name     = "rack12-e9000"
  location = "DC1 row 3 rack 12"
}

resource "vessel_ntp_server" "this" {
  enabled  = true
  server1  = cidrhost(var.mgmt_prefix, 5)
  timezone = "GMT+1"
}

resource "vessel_ldap_domain" "this" {
  enabled       = true
  server        = cidrhost(var.mgmt_prefix, 6)
  port          = 636
  ssl           = true
  base_dn       = "dc=lab,dc=example"
  bind_dn       = "cn=vessel,dc=lab,dc=example"
  bind_password = var.ops_password
  role          = "operator"
}

resource "vessel_user" "ops" {
  username = "ops"
  password = var.ops_password
  role     = "operator"
  enabled  = true
}

resource "vessel_power_policy" "this" {
  enabled = true
  mode    = "equal"
  limit   = 9000
}

resource "vessel_alarm_subscription" "this" {
  trap_enabled = true
  trap_version = "v2c"
  trap_server  = cidrhost(var.mgmt_prefix, 7)
  trap_port    = 162
  min_level    = "major"
}

resource "vessel_mgmt_network" "ibmc3" {
  target     = "blade3"
  mode       = "static"
  ip_address = cidrhost(var.mgmt_prefix, 103)
  netmask    = "255.255.255.0"
  gateway    = cidrhost(var.mgmt_prefix, 1)
}
